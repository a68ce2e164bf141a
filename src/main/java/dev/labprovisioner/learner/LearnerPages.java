package dev.labprovisioner.learner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.labprovisioner.checkpoint.CheckpointService;
import dev.labprovisioner.checkpoint.CheckpointStatus;
import dev.labprovisioner.checkpoint.rest.CheckpointView;
import dev.labprovisioner.checkpoint.rest.ProgressView;
import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.sandboxclient.SandboxVolumes;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Builds the learner's page from the lab, its template's steps and its progress. */
@ApplicationScoped
public class LearnerPages {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final LabTemplateCatalog catalog;
    private final CheckpointService checkpoints;
    private final StepMarkdown markdown;
    private final LabClusterWatch watch;
    private final LabsConfig config;
    private final SandboxVolumes sandbox;

    LearnerPages(LabTemplateCatalog catalog, CheckpointService checkpoints, StepMarkdown markdown, LabClusterWatch watch, LabsConfig config,
                 SandboxVolumes sandbox) {
        this.sandbox = sandbox;
        this.catalog = catalog;
        this.checkpoints = checkpoints;
        this.markdown = markdown;
        this.watch = watch;
        this.config = config;
    }

    public LearnerPageView page(Lab lab, String token) {
        LabTemplate template = catalog.find(lab.template).orElseThrow();
        ProgressView progress = checkpoints.progress(lab);
        Map<String, CheckpointView> results = progress.checkpoints().stream().collect(Collectors.toMap(CheckpointView::id, Function.identity()));
        Set<String> placed = new HashSet<>();
        var steps = new ArrayList<LearnerPageView.Step>();
        int number = 1;
        for (LabTemplate.Step step : template.steps()) {
            var cards = step.checkpoints().stream().map(id -> card(template.checkpoint(id).orElseThrow(), results.get(id))).toList();
            placed.addAll(step.checkpoints());
            steps.add(new LearnerPageView.Step(number++, step.id(), step.title(), markdown.html(template, step), cards));
        }
        var unassigned = template.checkpoints().stream().filter(c -> !placed.contains(c.id())).map(c -> card(c, results.get(c.id()))).toList();
        boolean ready = lab.state == LabState.READY;
        List<String> pods = ready ? watch.pods(lab.namespace).stream().map(p -> p.getMetadata().getName()).sorted().toList() : List.of();
        return new LearnerPageView(token, template.title(), template.description(), lab.state.name(), stateLabel(lab.state), ready,
                lab.state == LabState.REQUESTED || lab.state == LabState.PROVISIONING, lab.failureReason, lab.namespace,
                TIME.format(lab.expiresAt), lab.expiresAt.toEpochMilli(), timeLeft(lab.expiresAt), sandbox.active(), sandbox.engine().orElse(""),
                progress.score(), progress.maxScore(), progress.completed(), steps, unassigned, pods);
    }

    static String stateLabel(LabState state) {
        return switch (state) {
            case REQUESTED, PROVISIONING -> "Being prepared";
            case READY -> "Ready";
            case FAILED -> "Could not be prepared";
            case TEARING_DOWN, DELETED -> "Ended";
        };
    }

    static String statusLabel(CheckpointStatus status) {
        return switch (status) {
            case PASSED -> "Passed";
            case FAILED -> "Not yet";
            case PENDING -> "Not checked";
        };
    }

    static String timeLeft(Instant expiresAt) {
        Duration left = Duration.between(Instant.now(), expiresAt);
        if (left.isNegative()) {
            return "expired";
        }
        long hours = left.toHours();
        long minutes = left.toMinutesPart();
        return hours > 0 ? hours + " h " + minutes + " min" : minutes + " min";
    }

    private static LearnerPageView.Card card(CheckpointDefinition c, CheckpointView r) {
        return new LearnerPageView.Card(c.id(), c.title(), r.status().name(), statusLabel(r.status()), c.points(),
                c.level() == CheckpointDefinition.Level.ADVANCED, r.message(), r.attempts(),
                r.passedAt() == null ? null : TIME.format(r.passedAt()), c.acts(), facts(r.evidence()));
    }

    /** Evidence as lines a person reads: "claimUid: 3f2c...", "replicas: postgres-0 (ordinal 0, ...); ...". */
    static List<LearnerPageView.Fact> facts(JsonNode evidence) {
        var facts = new ArrayList<LearnerPageView.Fact>();
        if (evidence == null || !evidence.isObject()) {
            return facts;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = evidence.fields(); it.hasNext(); ) {
            var field = it.next();
            facts.add(new LearnerPageView.Fact(field.getKey(), words(field.getValue())));
        }
        return facts;
    }

    private static String words(JsonNode node) {
        if (node.isArray()) {
            var parts = new ArrayList<String>();
            node.forEach(n -> parts.add(words(n)));
            return String.join(node.size() > 0 && node.get(0).isObject() ? "; " : ", ", parts);
        }
        if (node.isObject()) {
            var parts = new ArrayList<String>();
            node.fields().forEachRemaining(e -> parts.add(e.getKey() + " " + words(e.getValue())));
            return String.join(", ", parts);
        }
        return node.asText();
    }
}
