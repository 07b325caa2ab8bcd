package dev.panamax.detection;

import static dev.panamax.detection.ImageFixtures.assertMalformed;
import static dev.panamax.detection.ImageFixtures.writeImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocReaderTest {
    @TempDir
    Path root;

    private static final List<String> CLASSES = List.of("cat", "dog");

    private static String object(String name, int difficult, String box) {
        return "<object><name>" + name + "</name><pose>Left</pose><difficult>" + difficult + "</difficult><bndbox>" + box + "</bndbox></object>";
    }

    private static String box(double xmin, double ymin, double xmax, double ymax) {
        return "<xmin>" + xmin + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax + "</xmax><ymax>" + ymax + "</ymax>";
    }

    private Path annotation(String id, String body) throws IOException {
        Files.createDirectories(root.resolve("Annotations"));
        return Files.writeString(root.resolve("Annotations").resolve(id + ".xml"), "<annotation><folder>VOC</folder><filename>" + id
                + ".png</filename><size><width>20</width><height>10</height><depth>3</depth></size>" + body + "</annotation>");
    }

    @Test
    void readsObjectsAsContinuousBoxesWithDifficultFlags() throws IOException {
        Files.createDirectories(root.resolve("JPEGImages"));
        writeImage(root.resolve("JPEGImages/b.png"), 20, 10, "png");
        annotation("b", object("dog", 0, box(1, 1, 20, 10)) + object("cat", 1, box(3, 2, 5, 4)));
        annotation("a", "");
        ImageFileDataset voc = VocReader.read(root, CLASSES);
        assertEquals(List.of("__background__", "cat", "dog"), voc.classNames());
        assertEquals(2, voc.size());
        assertEquals(root.resolve("JPEGImages/a.png"), voc.images().get(0).file()); // file-name order
        try (DetectionSample s = voc.get(1)) {
            assertEquals(1, s.imageId());
            // pixels 1..20 inclusive span [0, 20); difficult objects stay in the target
            assertArrayEquals(new float[] {0, 0, 20, 10, 2, 1, 5, 4}, s.target().boxes().toFloatArray());
            assertArrayEquals(new long[] {2, 1}, s.target().labels().toLongArray());
            assertEquals(new GroundTruthBox(2, 1, 5, 4, 1, 9, false, true), s.objects().get(1));
        }
    }

    @Test
    void anImageSetSelectsAndOrdersImages() throws IOException {
        annotation("x", "");
        annotation("y", object("cat", 0, box(1, 1, 2, 2)));
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.writeString(root.resolve("ImageSets/Main/val.txt"), "y\n\n");
        ImageFileDataset voc = VocReader.read(root, "val", CLASSES);
        assertEquals(1, voc.size());
        assertEquals(root.resolve("JPEGImages/y.png"), voc.images().get(0).file());
        assertThrows(NoSuchFileException.class, () -> VocReader.read(root, "train", CLASSES));
    }

    @Test
    void malformedFilesNameTheFileAndField() throws IOException {
        check(annotation("a", object("bird", 0, box(1, 1, 2, 2))), "annotation.object[0].name: unknown class \"bird\" (known: cat, dog)");
        check(annotation("a", object("cat", 0, box(1, 1, 2, 2)) + object("cat", 0, box(5, 1, 2, 2))),
                "annotation.object[1].bndbox: xmax < xmin");
        check(annotation("a", "<object><name>cat</name></object>"), "annotation.object[0]: missing element <bndbox>");
        check(annotation("a", object("cat", 0, "<xmin>1</xmin><ymin>a</ymin><xmax>2</xmax><ymax>2</ymax>")),
                "annotation.object[0].bndbox.ymin: expected a number, got \"a\"");
        Path truncated = Files.writeString(root.resolve("Annotations/a.xml"), "<annotation><size><width>2");
        check(truncated, "bad XML");
        Path noSize = Files.writeString(root.resolve("Annotations/a.xml"), "<annotation><filename>a.png</filename></annotation>");
        check(noSize, "annotation: missing element <size>");
        assertThrows(IllegalArgumentException.class, () -> VocReader.read(root, List.of("cat", "cat")));
        assertThrows(NoSuchFileException.class, () -> VocReader.read(root.resolve("nothing"), CLASSES));
    }

    private void check(Path file, String problem) {
        assertMalformed(file, problem, () -> VocReader.read(root, CLASSES));
    }
}
