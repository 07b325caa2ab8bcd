package dev.panamax.detection;

import dev.panamax.data.io.MalformedFileException;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Image files (PNG, JPEG: whatever {@code javax.imageio} reads) as float32 [3, H, W] tensors in [0, 1], and tensors back to PNG. */
public final class ImageFiles {
    private ImageFiles() {}

    public static Tensor read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new MalformedFileException(file.toString(), "unreadable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new MalformedFileException(file.toString(), "not an image format javax.imageio can read (PNG, JPEG, BMP, GIF)");
        }
        return toTensor(img);
    }

    private static Tensor toTensor(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        float[] chw = new float[3 * plane];
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 1) {
            // grey: the stored levels, replicated; getRGB would pass them through a colour-space conversion
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = (float) (raster.getSample(x, y, 0) / max);
                    chw[y * w + x] = v;
                    chw[plane + y * w + x] = v;
                    chw[2 * plane + y * w + x] = v;
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    chw[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
                    chw[plane + y * w + x] = ((rgb >> 8) & 0xff) / 255f;
                    chw[2 * plane + y * w + x] = (rgb & 0xff) / 255f;
                }
            }
        }
        return Tensor.of(chw, 3, h, w);
    }

    /** Writes an image [3 or 1, H, W] with values in [0, 1] as a PNG, atomically. */
    public static void writePng(Path file, Tensor image) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = toImage(image);
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }

    /** The image as 8-bit RGB, values clamped to [0, 1]; a single channel is grey. */
    static BufferedImage toImage(Tensor image) {
        int c = (int) image.size(0);
        int h = (int) image.size(1);
        int w = (int) image.size(2);
        float[] v = image.toFloatArray();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                int r = level(v[p]);
                int gr = c == 3 ? level(v[h * w + p]) : r;
                int bl = c == 3 ? level(v[2 * h * w + p]) : r;
                img.setRGB(x, y, (r << 16) | (gr << 8) | bl);
            }
        }
        return img;
    }

    private static int level(float v) {
        return Math.round(Math.min(Math.max(v, 0f), 1f) * 255);
    }
}
