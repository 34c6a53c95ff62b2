package org.jfpm.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from the Maven metadata the jar embeds. */
final class Version {

    private static final String POM_PROPERTIES = "META-INF/maven/org.jfpm/supervisor/pom.properties";

    private Version() {
    }

    /** {@code 0.1.0-SNAPSHOT}, or {@code (development build)} when run from classes, not the jar. */
    static String version() {
        try (InputStream in = Version.class.getClassLoader().getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "(development build)";
    }

    /** {@code jfpm 0.1.0-SNAPSHOT (Java 17.0.15, Linux amd64)}. */
    static String line() {
        return "jfpm " + version() + " (Java " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")";
    }
}
