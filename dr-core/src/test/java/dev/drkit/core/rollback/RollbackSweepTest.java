package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackSweepTest {

    @Test
    void eachCellIsHandedOverAsItIsDoneInTheOrderOfTheReport() {
        RollbackSweep sweep = new RollbackSweep(List.of(0.01, 0.02), List.of(3.0, 5.0), 2_000, 20, 1, 19);
        List<RollbackSweep.Cell> seen = new ArrayList<>();

        RollbackSweep.Report report = sweep.run(JudgeConfig.DEFAULT.withHorizon(2_000), seen::add);

        assertThat(seen).hasSize(4).containsExactlyElementsOf(report.cells());
        assertThat(seen).extracting(RollbackSweep.Cell::baselineRate).containsExactly(0.01, 0.01, 0.02, 0.02);
    }
}
