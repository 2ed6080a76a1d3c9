package org.plstm.mnist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example as a JPMS user runs it: compiled into a module of its own that {@code requires
 * org.plstm.simd}, and run on the module path with the library's jars (plstm-simd, plstm-reference, Jackson) and
 * nothing else, with and without {@code --add-modules jdk.incubator.vector}. Proves the module descriptors: the
 * exports, {@code requires transitive org.plstm.reference}, Jackson and the optional vector module (a missing
 * {@code requires} shows up here as a {@code NoClassDefFoundError} or an {@code IllegalAccessError}).
 */
class ModulePathTest {
    @TempDir
    Path dir;

    /** The {@code n}-th (0-based) java block after the README's "## Use it as a library". */
    private static String readmeJavaBlock(int n) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String rest = readme.substring(readme.indexOf("## Use it as a library"));
        int at = 0;
        for (int i = 0; i <= n; i++) {
            at = rest.indexOf("```java\n", at) + "```java\n".length();
        }
        return rest.substring(at, rest.indexOf("```", at));
    }

    /** Where a class of the library or of Jackson was loaded from (a jar, or a module's classes directory). */
    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void theReadmeExampleRunsOnTheModulePath() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/example/example"));
        Files.writeString(dir.resolve("src/example/module-info.java"),
                "module example {\n    requires org.plstm.simd;\n}\n");
        Files.writeString(src.resolve("Main.java"), """
                package example;

                import java.nio.file.Path;
                import java.util.List;
                import java.util.Map;
                import org.plstm.PhasedLstmConfig;
                import org.plstm.SequenceBatch;
                import org.plstm.TimeGateInit;
                import org.plstm.inference.PhasedLstmModel;
                import org.plstm.inference.StreamSession;
                import org.plstm.io.Checkpoint;
                import org.plstm.train.SequenceClassifier;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        Path checkpoint = Path.of(args[0]);
                %s
                %s
                        System.out.println("classes " + java.util.Arrays.toString(classes) + " backend "
                                + model.backend() + " stream " + now.length);
                    }
                }
                """.formatted(readmeJavaBlock(1), readmeJavaBlock(0)));
        String modulePath = String.join(File.pathSeparator, location(org.plstm.inference.PhasedLstmModel.class),
                location(org.plstm.Engine.class), location(com.fasterxml.jackson.databind.ObjectMapper.class),
                location(com.fasterxml.jackson.core.JsonFactory.class),
                location(com.fasterxml.jackson.annotation.JsonProperty.class),
                location(com.fasterxml.jackson.dataformat.csv.CsvMapper.class)); // org.plstm.data's CSV reader
        Path out = dir.resolve("out");
        List<String> javac = new ArrayList<>(List.of("-d", out.toString(), "--module-path", modulePath,
                "--module-source-path", dir.resolve("src").toString(), "--module", "example"));
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, System.out, System.err,
                javac.toArray(String[]::new));
        assertThat(compiled).as("javac of the README example as module 'example'").isZero();

        String java = ProcessHandle.current().info().command().orElseThrow();
        String path = out.resolve("example") + File.pathSeparator + modulePath;
        String simd = run(List.of(java, "--add-modules", "jdk.incubator.vector", "--module-path", path,
                "--module", "example/example.Main", dir.resolve("a.safetensors").toString()));
        assertThat(simd).contains("classes [", "backend simd", "stream 3").doesNotContain("Exception", "Error");
        // without the vector module: the reference backend, one warning, the same example
        String reference = run(List.of(java, "--module-path", path, "--module", "example/example.Main",
                dir.resolve("b.safetensors").toString()));
        assertThat(reference).contains("backend reference", "stream 3", "jdk.incubator.vector is not readable")
                .doesNotContain("Exception", "Error:");
    }

    private String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
