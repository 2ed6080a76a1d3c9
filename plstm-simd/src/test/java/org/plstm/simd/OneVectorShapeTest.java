package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernels use one vector shape: the preferred one ({@link VectorLevel#FS}, {@link VectorLevel#DS} and what
 * reinterpreting them gives). A second float shape anywhere in the JVM (it was a half-width {@code FloatVector} as
 * the target of double-to-float conversions in the time gate) makes the type profiles inside the JDK's shared
 * {@code FloatVector} methods bimorphic; C2 then boxed every accumulator of the gate product in compilations that
 * relied on them: at shape {@code 32x100x128x1024} on AVX-512, 70 GB allocated and 3.7 s per inference batch
 * instead of 0 B and 0.29 s. The effect depends on compilation order and shows only after seconds of a large
 * batch, which no unit test can afford; so this test holds the rule on the sources instead.
 */
class OneVectorShapeTest {
    /** Ways to get a vector of another shape than the preferred one. */
    private static final Pattern OTHER_SHAPE = Pattern.compile(
            "VectorShape|VectorSpecies\\.of|SPECIES_(?!PREFERRED)\\w+|\\b(convertShape|castShape|reinterpretShape|"
                    + "withShape|convert)\\(");

    @Test
    void kernelsUseOnlyThePreferredShape() throws IOException {
        Path dir = Path.of("src", "main", "java", "org", "plstm", "simd");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("/**") || code.startsWith("//")) {
                        continue; // comments may name what is avoided
                    }
                    Matcher m = OTHER_SHAPE.matcher(code);
                    if (m.find()) {
                        found.add(f.getFileName() + ":" + (i + 1) + ": " + code);
                    }
                }
            }
        }
        assertThat(found).as("vector shapes other than the preferred one in org.plstm.simd (see this test's Javadoc)")
                .isEmpty();
    }
}
