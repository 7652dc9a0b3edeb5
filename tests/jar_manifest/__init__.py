"""MANIFEST.MF per the JAR spec, checked against Java's own java.util.jar reader."""
