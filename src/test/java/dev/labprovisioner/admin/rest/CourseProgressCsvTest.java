package dev.labprovisioner.admin.rest;

import dev.labprovisioner.checkpoint.CheckpointStatus;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.template.CheckpointDefinition;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The CSV cells an HTTP test cannot reach: ids from the API can hold neither formulas nor quotes, template data could. */
class CourseProgressCsvTest {

    @Test
    void cellsThatLookLikeFormulasAreDefused() {
        assertThat(CourseProgressCsv.cell("=HYPERLINK(\"http://evil\")")).isEqualTo("\"'=HYPERLINK(\"\"http://evil\"\")\"");
        assertThat(CourseProgressCsv.cell("+1")).isEqualTo("'+1");
        assertThat(CourseProgressCsv.cell("-2")).isEqualTo("'-2");
        assertThat(CourseProgressCsv.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CourseProgressCsv.cell("\tx")).isEqualTo("'\tx");
        assertThat(CourseProgressCsv.cell("learner-42")).isEqualTo("learner-42");
    }

    @Test
    void cellsAreQuotedAsRfc4180Says() {
        assertThat(CourseProgressCsv.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(CourseProgressCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CourseProgressCsv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CourseProgressCsv.cell("")).isEmpty();
        assertThat(CourseProgressCsv.cell(null)).isEmpty();
    }

    @Test
    void aReportIsAHeaderAndOneCrlfEndedLinePerLearner() {
        UUID lab = UUID.fromString("00000000-0000-0000-0000-000000000001");
        var statuses = new LinkedHashMap<String, CheckpointStatus>();
        statuses.put("first", CheckpointStatus.PASSED);
        statuses.put("=second", CheckpointStatus.FAILED);
        var report = new CourseProgressView("k8s-101", "t", List.of(
                new CourseProgressView.Checkpoint("first", "First", 10, CheckpointDefinition.Level.REQUIRED),
                new CourseProgressView.Checkpoint("=second", "Second", 5, CheckpointDefinition.Level.ADVANCED)),
                List.of(new CourseProgressView.Learner("ann", lab, LabState.READY, 10, 15, true, statuses)));
        assertThat(CourseProgressCsv.of(report)).isEqualTo(
                "learnerId,labId,state,first,'=second,score,maxScore,completed\r\n"
                        + "ann," + lab + ",READY,PASSED,FAILED,10,15,true\r\n");
    }
}
