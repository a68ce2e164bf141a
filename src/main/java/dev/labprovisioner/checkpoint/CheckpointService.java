package dev.labprovisioner.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.checkpoint.rest.CheckpointView;
import dev.labprovisioner.checkpoint.rest.ProgressView;
import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.labdata.LabDatabase;
import dev.labprovisioner.outbox.Outbox;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import dev.labprovisioner.timeline.LabTimeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Validates a lab's checkpoints and reports its progress. A validation reads the cluster through the shared
 * informers, the timeline and the lab database, records what it concluded (every time), and never lets a
 * PASSED checkpoint fall back.
 */
@ApplicationScoped
public class CheckpointService {

    private final LabTemplateCatalog catalog;
    private final CheckpointKinds kinds;
    private final CheckpointRecords records;
    private final LabClusterWatch watch;
    private final LabTimeline timelines;
    private final LabDatabase database;
    private final ObjectMapper json;
    private final Timer validations;
    private final Outbox outbox;
    private final Event<CheckpointsValidated> validated;

    CheckpointService(LabTemplateCatalog catalog, CheckpointKinds kinds, CheckpointRecords records, LabClusterWatch watch,
                      LabTimeline timelines, LabDatabase database, ObjectMapper json, MeterRegistry metrics, Outbox outbox,
                      Event<CheckpointsValidated> validated) {
        this.outbox = outbox;
        this.validated = validated;
        this.catalog = catalog;
        this.kinds = kinds;
        this.records = records;
        this.watch = watch;
        this.timelines = timelines;
        this.database = database;
        this.json = json;
        this.validations = Timer.builder("labs.checkpoint.validation").description("Time to validate checkpoints of a lab")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    /** Validates one checkpoint; {@code act}: let the check act first (only checkpoints that say they can). */
    public CheckpointView validate(Lab lab, String checkpointId, boolean act) {
        LabTemplate template = template(lab);
        CheckpointDefinition checkpoint = template.checkpoint(checkpointId)
                .orElseThrow(() -> ProblemException.notFound("Lab " + template.id() + " has no checkpoint '" + checkpointId + "'."));
        if (act && !checkpoint.canAct()) {
            throw ProblemException.badRequest("Checkpoint " + checkpointId + " has no check that acts; validate it without act=true.");
        }
        requireReady(lab);
        LabEvidence evidence = evidence(lab);
        CheckpointKind kind = kinds.get(checkpoint.kind());
        if (act) {
            ((CheckpointKind.Acting) kind).act(evidence, checkpoint);
            evidence = evidence(lab);
        }
        LabEvidence seen = evidence;
        Verdict verdict = validations.record(() -> kind.judge(seen, checkpoint));
        ProgressView after = record(lab, List.of(new CheckpointRecords.Validation(checkpointId, verdict, act, now())));
        return after.checkpoints().stream().filter(c -> c.id().equals(checkpointId)).findFirst().orElseThrow();
    }

    /** Validates every checkpoint without acting, sharing one read of the cluster, timeline and database. */
    public ProgressView validateAll(Lab lab) {
        LabTemplate template = template(lab);
        requireReady(lab);
        LabEvidence evidence = evidence(lab);
        var done = new ArrayList<CheckpointRecords.Validation>();
        validations.record(() -> {
            for (CheckpointDefinition checkpoint : template.checkpoints()) {
                Verdict verdict = kinds.get(checkpoint.kind()).judge(evidence, checkpoint);
                done.add(new CheckpointRecords.Validation(checkpoint.id(), verdict, false, now()));
            }
        });
        return record(lab, done);
    }

    /**
     * Records the validations and, in the same transaction, tells who listens (the webhook outbox) how the progress
     * changed. Validations of one lab take turns here, so a checkpoint's first pass is announced once.
     */
    private ProgressView record(Lab lab, List<CheckpointRecords.Validation> done) {
        return QuarkusTransaction.requiringNew().call(() -> {
            outbox.lockOrder(lab.id.toString());
            ProgressView before = progress(lab);
            records.record(lab.id, done);
            ProgressView after = progress(lab);
            validated.fire(new CheckpointsValidated(lab, before, after, done.stream().map(CheckpointRecords.Validation::checkpointId).toList()));
            return after;
        });
    }

    public ProgressView progress(Lab lab) {
        return progress(lab, records.results(lab.id));
    }

    /** The progress of many labs from one read of their results (a course's report), by lab id. */
    public Map<UUID, ProgressView> progress(Collection<Lab> labs) {
        Map<UUID, Map<String, CheckpointResult>> results = records.results(labs.stream().map(l -> l.id).toList());
        var progress = new LinkedHashMap<UUID, ProgressView>();
        for (Lab lab : labs) {
            progress.put(lab.id, progress(lab, results.getOrDefault(lab.id, Map.of())));
        }
        return progress;
    }

    private ProgressView progress(Lab lab, Map<String, CheckpointResult> results) {
        LabTemplate template = template(lab);
        List<CheckpointView> views = template.checkpoints().stream().map(c -> view(c, results.get(c.id()))).toList();
        int score = views.stream().filter(v -> v.status() == CheckpointStatus.PASSED).mapToInt(CheckpointView::points).sum();
        boolean completed = views.stream().filter(v -> v.level() == CheckpointDefinition.Level.REQUIRED)
                .allMatch(v -> v.status() == CheckpointStatus.PASSED);
        return new ProgressView(lab.id, score, template.maxScore(), completed, views);
    }

    private LabTemplate template(Lab lab) {
        return catalog.find(lab.template)
                .orElseThrow(() -> new ProblemException(Response.Status.CONFLICT, "Lab template " + lab.template + " is no longer offered."));
    }

    private static void requireReady(Lab lab) {
        if (lab.state != LabState.READY) {
            throw ProblemException.conflict("The lab is " + lab.state + ": checkpoints can be validated while it is READY.");
        }
    }

    private LabEvidence evidence(Lab lab) {
        List<String> dataCheckpoints = template(lab).checkpoints().stream().filter(c -> kinds.get(c.kind()).readsLabData())
                .map(CheckpointDefinition::id).toList();
        return new LabEvidence(lab, watch, timelines, database, () -> records.baseline(lab.id), dataCheckpoints);
    }

    private CheckpointView view(CheckpointDefinition c, CheckpointResult r) {
        if (r == null) {
            return new CheckpointView(c.id(), c.title(), CheckpointStatus.PENDING, 0, null, "Not checked yet.", c.points(), c.level(),
                    null, null, c.acts());
        }
        return new CheckpointView(c.id(), c.title(), r.status(), r.attempts(), r.passedAt(), r.message(), c.points(), c.level(),
                r.lastValidatedAt(), evidence(r.evidence()), c.acts());
    }

    private JsonNode evidence(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
