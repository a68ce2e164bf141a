package dev.labprovisioner.admin.rest;

import java.util.ArrayList;
import java.util.List;

/**
 * The course report as RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, a quote or a line
 * break), safe to open in a spreadsheet: a cell that starts like a formula gets a leading apostrophe.
 */
final class CourseProgressCsv {

    static final String MEDIA_TYPE = "text/csv";

    private CourseProgressCsv() {
    }

    static String of(CourseProgressView report) {
        var out = new StringBuilder();
        var header = new ArrayList<String>(List.of("learnerId", "labId", "state"));
        report.checkpoints().forEach(c -> header.add(c.id()));
        header.addAll(List.of("score", "maxScore", "completed"));
        line(out, header);
        for (CourseProgressView.Learner learner : report.learners()) {
            var row = new ArrayList<String>(List.of(learner.learnerId(), learner.labId().toString(), learner.state().name()));
            report.checkpoints().forEach(c -> row.add(learner.checkpoints().get(c.id()).name()));
            row.addAll(List.of(Integer.toString(learner.score()), Integer.toString(learner.maxScore()), Boolean.toString(learner.completed())));
            line(out, row);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(cell(cells.get(i)));
        }
        out.append("\r\n");
    }

    /** One field: defused if a spreadsheet would read it as a formula (OWASP's list), then quoted if it must be. */
    static String cell(String value) {
        String text = value == null ? "" : value;
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\r' || ch == '\n')) {
            text = '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
