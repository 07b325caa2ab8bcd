package dev.panamax.detection;

import dev.panamax.data.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads a Pascal VOC folder: {@code Annotations/<id>.xml} and {@code JPEGImages/<filename>}, for
 * every annotation file or for the ids listed in {@code ImageSets/Main/<set>.txt}. Each object's
 * {@code name} becomes its index in the class list + 1, {@code difficult} (default 0) is kept.
 * VOC's {@code bndbox} counts pixels from 1, inclusive; boxes become continuous coordinates from 0
 * (x1 = xmin - 1, x2 = xmax, as detectron2 reads VOC), so their overlaps equal the devkit's.
 * Image ids are positions in the resulting list.
 */
public final class VocReader {
    /** The 20 classes of VOC 2007-2012, in the devkit's order. */
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
            "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor");

    private VocReader() {}

    /** Every annotation under {@code root/Annotations}, in file-name order. */
    public static ImageFileDataset read(Path root, List<String> classes) throws IOException {
        Path dir = root.resolve("Annotations");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "VOC folder has no Annotations directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
        return read(root, files, classes);
    }

    /** The images listed in {@code root/ImageSets/Main/<imageSet>.txt} (e.g. "trainval"), in its order. */
    public static ImageFileDataset read(Path root, String imageSet, List<String> classes) throws IOException {
        Path list = root.resolve("ImageSets").resolve("Main").resolve(imageSet + ".txt");
        List<Path> files = Files.readAllLines(list).stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(id -> root.resolve("Annotations").resolve(id + ".xml")).toList();
        return read(root, files, classes);
    }

    private static ImageFileDataset read(Path root, List<Path> files, List<String> classes) throws IOException {
        if (classes.isEmpty() || classes.stream().distinct().count() != classes.size()) {
            throw new IllegalArgumentException("VocReader: the class list must be non-empty without repeats, got " + classes);
        }
        DocumentBuilder parser = parser();
        List<AnnotatedImage> images = new ArrayList<>(files.size());
        for (Path f : files) {
            images.add(annotation(parser, f, root.resolve("JPEGImages"), images.size(), classes));
        }
        List<String> names = new ArrayList<>(List.of("__background__"));
        names.addAll(classes);
        return new ImageFileDataset(images, names);
    }

    private static AnnotatedImage annotation(DocumentBuilder parser, Path file, Path imageDir, long id, List<String> classes) throws IOException {
        Element root;
        try {
            root = parser.parse(file.toFile()).getDocumentElement();
        } catch (SAXException e) {
            throw new MalformedFileException(file.toString(), "bad XML: " + e.getMessage(), e);
        }
        XmlFields x = new XmlFields(file);
        if (!root.getTagName().equals("annotation")) {
            throw x.error("", "the root element is <" + root.getTagName() + ">, not <annotation>");
        }
        Element size = x.child(root, "size", "annotation");
        int width = (int) x.number(size, "width", "annotation.size");
        int height = (int) x.number(size, "height", "annotation.size");
        if (width <= 0 || height <= 0) {
            throw x.error("annotation.size", "expected a positive width and height, got " + width + "×" + height);
        }
        List<GroundTruthBox> objects = new ArrayList<>();
        NodeList nodes = root.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element o && o.getTagName().equals("object")) {
                objects.add(object(x, o, "annotation.object[" + objects.size() + "]", classes));
            }
        }
        return new AnnotatedImage(id, imageDir.resolve(x.text(root, "filename", "annotation")), width, height, objects);
    }

    private static GroundTruthBox object(XmlFields x, Element o, String path, List<String> classes) throws MalformedFileException {
        String name = x.text(o, "name", path);
        int index = classes.indexOf(name);
        if (index < 0) {
            throw x.error(path + ".name", "unknown class \"" + name + "\" (known: " + String.join(", ", classes) + ")");
        }
        boolean difficult = x.optional(o, "difficult") && x.number(o, "difficult", path) != 0;
        Element b = x.child(o, "bndbox", path);
        String at = path + ".bndbox";
        double xmin = x.number(b, "xmin", at);
        double ymin = x.number(b, "ymin", at);
        double xmax = x.number(b, "xmax", at);
        double ymax = x.number(b, "ymax", at);
        if (xmax < xmin || ymax < ymin) {
            throw x.error(at, "xmax < xmin or ymax < ymin in (" + xmin + ", " + ymin + ", " + xmax + ", " + ymax + ")");
        }
        double x1 = xmin - 1;
        double y1 = ymin - 1;
        return new GroundTruthBox(x1, y1, xmax, ymax, index + 1, (xmax - x1) * (ymax - y1), false, difficult);
    }

    /** A parser that refuses DOCTYPEs, so an annotation file cannot pull in other files. */
    private static DocumentBuilder parser() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler()); // errors throw instead of printing to stderr
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("VocReader: no XML parser with secure processing", e);
        }
    }

    /** Child elements of a VOC annotation; a missing or non-numeric one is an error naming the file and its path. */
    private record XmlFields(Path file) {
        MalformedFileException error(String path, String problem) {
            return new MalformedFileException(file.toString(), (path.isEmpty() ? "" : path + ": ") + problem);
        }

        boolean optional(Element parent, String tag) {
            return find(parent, tag) != null;
        }

        Element child(Element parent, String tag, String path) throws MalformedFileException {
            Element e = find(parent, tag);
            if (e == null) {
                throw error(path, "missing element <" + tag + ">");
            }
            return e;
        }

        String text(Element parent, String tag, String path) throws MalformedFileException {
            return child(parent, tag, path).getTextContent().strip();
        }

        double number(Element parent, String tag, String path) throws MalformedFileException {
            String t = text(parent, tag, path);
            try {
                double v = Double.parseDouble(t);
                if (Double.isFinite(v)) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the field's path
            }
            throw error(path + "." + tag, "expected a number, got \"" + t + "\"");
        }

        private static Element find(Element parent, String tag) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(tag)) {
                    return e;
                }
            }
            return null;
        }
    }
}
