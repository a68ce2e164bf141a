package dev.labprovisioner.learner;

import dev.labprovisioner.template.LabTemplate;
import jakarta.enterprise.context.ApplicationScoped;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lab's steps as HTML, rendered once per template version with CommonMark. Raw HTML in the Markdown is
 * escaped and unsafe link schemes are dropped, so a lab definition cannot inject script into the page.
 */
@ApplicationScoped
public class StepMarkdown {

    private final Parser parser = Parser.builder().build();
    private final HtmlRenderer renderer = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();
    private final Map<String, String> rendered = new ConcurrentHashMap<>();

    public String html(LabTemplate template, LabTemplate.Step step) {
        return rendered.computeIfAbsent(template.id() + "@" + template.version() + "/" + step.id(),
                k -> renderer.render(parser.parse(step.markdown())));
    }
}
