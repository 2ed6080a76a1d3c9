package org.plstm.data;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The data classes name a null or missing argument as the rest of plstm does ({@code "<argument>: expected ...,
 * got ..."}); they threw bare NullPointerExceptions from {@code List.copyOf} or a loop, or named another argument.
 */
class DataArgumentsTest {
    private static final EventSequence S = new EventSequence("a", new float[] {1}, new double[] {0}, "x");

    @Test
    void dataSplitNamesANullSequence() {
        assertThatThrownBy(() -> DataSplit.of(Arrays.asList(S, null, S), 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("data[1]: expected a value, got null");
        assertThatThrownBy(() -> new DataSplit(List.of(S), null, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("validation: expected a value, got null");
        assertThatThrownBy(() -> new DataSplit(List.of(S), List.of(), Arrays.asList(S, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("test[1]: expected a value, got null");
    }

    @Test
    void labelsOfNamesItsOwnArgument() {
        assertThatThrownBy(() -> Labels.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels: expected at least one label, got none");
        assertThatThrownBy(() -> Labels.of(Arrays.asList("a", null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels[1]: expected a value, got null");
    }

    @Test
    void standardizerApplyNamesANullListOrSequence() {
        Standardizer st = Standardizer.fit(List.of("f"), List.of(S), false);
        assertThatThrownBy(() -> st.apply((List<EventSequence>) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data: expected a value, got null");
        assertThatThrownBy(() -> st.apply(Arrays.asList(S, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data[1]: expected a value, got null");
        assertThatThrownBy(() -> Standardizer.fit(List.of("f"), Arrays.asList(S, null), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("train[1]: expected a value, got null");
    }

    @Test
    void eventDataNamesANullList() {
        assertThatThrownBy(() -> new EventData(Path.of("f.csv"), Arrays.asList("a", null), List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("featureNames[1]: expected a value, got null");
        assertThatThrownBy(() -> new EventData(Path.of("f.csv"), List.of("a"), null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sequences: expected a value, got null");
    }
}
