package dev.panamax.detection;

import static dev.panamax.detection.ImageFixtures.assertMalformed;
import static dev.panamax.detection.ImageFixtures.writeImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.io.MalformedFileException;
import dev.panamax.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoReaderTest {
    @TempDir
    Path dir;

    private static final String CATEGORIES = "\"categories\":[{\"id\":7,\"name\":\"cat\"},{\"id\":3,\"name\":\"dog\"},{\"id\":1,\"name\":\"person\"}]";

    private Path instances(String json) throws IOException {
        return Files.writeString(dir.resolve("instances.json"), json);
    }

    /** A file with one 20×10 image and the given annotations. */
    private Path oneImage(String annotations) throws IOException {
        return instances("{\"images\":[{\"id\":5,\"file_name\":\"a.png\",\"width\":20,\"height\":10}],\"annotations\":[" + annotations + "],"
                + CATEGORIES + "}");
    }

    @Test
    void readsImagesBoxesLabelsCrowdsAndAreas() throws IOException {
        writeImage(dir.resolve("a.png"), 20, 10, "png");
        writeImage(dir.resolve("b.jpg"), 8, 6, "jpg");
        Path file = instances("""
                {"images":[{"id":42,"file_name":"a.png","width":20,"height":10},{"id":9,"file_name":"b.jpg","width":8,"height":6}],
                 "annotations":[{"id":1,"image_id":42,"category_id":3,"bbox":[2,1,5.5,4],"area":12.5,"iscrowd":0},
                                {"id":2,"image_id":42,"category_id":7,"bbox":[0,0,20,10],"area":150,"iscrowd":1},
                                {"id":3,"image_id":42,"category_id":1,"bbox":[15,5,10,10]}],
                 %s}""".formatted(CATEGORIES));
        CocoDataset coco = CocoReader.read(file, dir);
        assertEquals(List.of("__background__", "person", "dog", "cat"), coco.classNames());
        assertEquals(2, coco.label(3));
        assertEquals(7, coco.categoryId(3));
        assertThrows(IllegalArgumentException.class, () -> coco.label(2));
        assertEquals(2, coco.size());
        try (DetectionSample s = coco.get(0)) {
            assertEquals(42, s.imageId());
            assertArrayEquals(new long[] {3, 10, 20}, s.image().shape().toArray());
            assertEquals(4 / 255.0, s.image().get(0, 3, 4), 1e-7); // red is x
            assertEquals(3 / 255.0, s.image().get(1, 3, 4), 1e-7); // green is y
            // the crowd is left out of the target; the last box is clipped to the image
            assertArrayEquals(new float[] {2, 1, 7.5f, 5, 15, 5, 20, 10}, s.target().boxes().toFloatArray());
            assertArrayEquals(new long[] {2, 1}, s.target().labels().toLongArray());
            assertEquals(List.of(new GroundTruthBox(2, 1, 7.5, 5, 2, 12.5, false, false), new GroundTruthBox(0, 0, 20, 10, 3, 150, true, false),
                    GroundTruthBox.of(15, 5, 25, 15, 1)), s.objects());
        }
        try (DetectionBatch b = coco.batch(new long[] {1, 0})) {
            assertEquals(2, b.images().size());
            assertArrayEquals(new long[] {3, 6, 8}, b.images().get(0).shape().toArray());
            assertEquals(0, b.targets().get(0).size()); // no annotations: an empty target
            assertArrayEquals(new long[] {0, 4}, b.targets().get(0).boxes().shape().toArray());
        }
    }

    @Test
    void greyImagesGiveThreeEqualChannels() throws IOException {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 0, 0, 51);
        ImageIO.write(grey, "png", dir.resolve("g.png").toFile());
        try (Tensor t = ImageFiles.read(dir.resolve("g.png"))) {
            assertArrayEquals(new long[] {3, 2, 3}, t.shape().toArray());
            for (int c = 0; c < 3; c++) {
                assertEquals(0.2, t.get(c, 0, 1), 1e-7);
            }
        }
    }

    @Test
    void malformedFilesNameTheFileAndField() throws IOException {
        Path f = instances("{\"images\":[{\"id\":5,\"file_name\":\"a.png\",\"width\":20,\"height\":10}],\"annotations\":[");
        assertMalformed(f, "bad JSON: unexpected end of JSON", () -> CocoReader.read(f, dir));
        String ok = "\"id\":1,\"image_id\":5,\"category_id\":3";
        check(oneImage("{" + ok + "}"), "annotations[0]: missing field \"bbox\"");
        check(oneImage("{" + ok + ",\"bbox\":[1,2,3]}"), "annotations[0].bbox: expected [x, y, width, height], got 3 numbers");
        check(oneImage("{" + ok + ",\"bbox\":[1,2,-3,4]}"), "annotations[0].bbox: negative width or height");
        check(oneImage("{" + ok + ",\"bbox\":[1,\"2\",3,4]}"), "annotations[0].bbox[1]: expected a number, got the string \"2\"");
        check(oneImage("{" + ok + ",\"bbox\":[1,2,3,4],\"iscrowd\":2}"), "annotations[0].iscrowd: expected 0 or 1");
        check(oneImage("{\"id\":1,\"image_id\":5,\"category_id\":2,\"bbox\":[1,2,3,4]}"), "annotations[0].category_id: no category has id 2");
        check(oneImage("{\"id\":1,\"image_id\":6,\"category_id\":3,\"bbox\":[1,2,3,4]}"), "annotations[0].image_id: no image has id 6");
        check(instances("{\"images\":[{\"id\":5,\"width\":20,\"height\":10}],\"annotations\":[]," + CATEGORIES + "}"),
                "images[0]: missing field \"file_name\"");
        check(instances("{\"images\":[],\"annotations\":[]}"), "the file: missing field \"categories\"");
        check(instances("[]"), "the file: expected an object, got an array");
    }

    private void check(Path file, String problem) {
        assertMalformed(file, problem, () -> CocoReader.read(file, dir));
    }

    @Test
    void imagesThatAreMissingOrDisagreeWithTheFileThrowOnGet() throws IOException {
        CocoDataset coco = CocoReader.read(oneImage(""), dir);
        UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> coco.get(0));
        assertInstanceOf(NoSuchFileException.class, missing.getCause());
        writeImage(dir.resolve("a.png"), 21, 10, "png");
        UncheckedIOException wrongSize = assertThrows(UncheckedIOException.class, () -> coco.get(0));
        MalformedFileException cause = assertInstanceOf(MalformedFileException.class, wrongSize.getCause());
        assertTrue(cause.getMessage().contains("a.png: image is 21×10 but its annotation says 20×10"), cause.getMessage());
        Files.writeString(dir.resolve("a.png"), "not a png");
        UncheckedIOException garbage = assertThrows(UncheckedIOException.class, () -> coco.get(0));
        assertInstanceOf(MalformedFileException.class, garbage.getCause());
        assertThrows(IndexOutOfBoundsException.class, () -> coco.get(1));
    }
}
