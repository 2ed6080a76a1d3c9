package org.plstm.mnist.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of every command: {@code plstm-mnist <version>}, the artifact's version as Maven built it
 * (the resource {@code version.properties}, filtered at build time), and the JVM it runs on.
 */
public final class VersionProvider implements IVersionProvider {
    /** Creates the provider (picocli instantiates it). */
    public VersionProvider() {
    }

    /**
     * @return the artifact version, e.g. {@code 0.1.0-SNAPSHOT}
     * @throws IllegalStateException if the resource is missing (a build that skipped resource processing)
     */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("version.properties cannot be read", e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"plstm-mnist " + version(), "Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + ")"};
    }
}
