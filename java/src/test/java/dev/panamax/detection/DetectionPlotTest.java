package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionPlotTest {
    @TempDir
    Path dir;

    @Test
    void writesAPngGridOfTheExpectedSizeHeadless() throws IOException {
        Path png = dir.resolve("sub/plot.png");
        try (Tensor a = Tensor.full(0.5, 3, 40, 60);
                Tensor b = Tensor.zeros(1, 30, 20);
                Target truth = new Target(Tensor.of(new float[] {10, 5, 30, 25}, 1, 4), Tensor.of(new long[] {1}, 1));
                Detections found = EvalCases.detections(new double[] {12, 6, 31, 24, 1, 0.9}, new double[] {0, 0, 5, 5, 9, 0.2})) {
            List<DetectionPlot.Panel> panels = List.of(new DetectionPlot.Panel(a, truth, found), new DetectionPlot.Panel(b, null, null),
                    new DetectionPlot.Panel(a, null, found));
            DetectionPlot.write(png, panels, List.of("__background__", "shirt"), new DetectionPlot.Layout(2, 2, 0.5));
        }
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(Files.readAllBytes(png), 4));
        BufferedImage img = ImageIO.read(png.toFile());
        int gap = DetectionPlot.GAP;
        // cells of the largest image (60×40) at scale 2, two per row, two rows
        assertEquals(2 * 120 + 3 * gap, img.getWidth());
        assertEquals(2 * 80 + 3 * gap, img.getHeight());
        assertEquals(0x808080, img.getRGB(gap + 100, gap + 70) & 0xffffff); // grey image pixel
        assertEquals(0x28c83c, img.getRGB(gap + 20, gap + 30) & 0xffffff); // the true box's left edge, x1 = 10 at scale 2
        assertEquals(0xe62828, img.getRGB(gap + 24, gap + 30) & 0xffffff); // the predicted box's left edge, x1 = 12
        assertEquals(0xffffff, img.getRGB(img.getWidth() - 1, img.getHeight() - 1) & 0xffffff); // the empty fourth cell
    }

    @Test
    void badPanelsAreRefused() {
        try (Tensor flat = Tensor.zeros(4, 4)) {
            assertThrows(IllegalArgumentException.class, () -> new DetectionPlot.Panel(flat, null, null));
        }
        assertThrows(IllegalArgumentException.class, () -> DetectionPlot.write(dir.resolve("x.png"), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new DetectionPlot.Layout(0, 1, 0));
    }
}
