package dev.labprovisioner.lab;

import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.SecretHashes;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** The lab rules of DESIGN §3 and §7: idempotent create, read, list, teardown, extend, retry. */
@ApplicationScoped
@Transactional
public class LabService {

    /** Ids from an LMS: letters, digits and . _ - @ + : (Open edX course keys, e-mail-like learner ids). */
    /** A learner, course or roster id: what an LMS's opaque ids look like, and nothing a path or a label could misread. */
    public static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9._@+:-]*";
    private static final Pattern ID = Pattern.compile(ID_PATTERN);
    /** Printable ASCII, no spaces, 1 to 200 characters (a UUID is a good one). */
    public static final String IDEMPOTENCY_KEY_PATTERN = "[\\x21-\\x7e]{1,200}";
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile(IDEMPOTENCY_KEY_PATTERN);
    public static final int MAX_ID_LENGTH = 128;

    private final LabCreation creation;
    private final LabTemplateCatalog catalog;
    private final LabHistory history;
    private final LabsConfig config;
    private final Event<LabChanged> changed;

    LabService(LabCreation creation, LabTemplateCatalog catalog, LabHistory history, LabsConfig config, Event<LabChanged> changed) {
        this.creation = creation;
        this.catalog = catalog;
        this.history = history;
        this.config = config;
        this.changed = changed;
    }

    public record NewLab(String learnerId, String courseId, String template, Integer ttlMinutes) {
    }

    public record Created(Lab lab, boolean isNew) {
    }

    public record LabPage(List<Lab> items, long total) {
    }

    /**
     * An LMS's create opens no JTA transaction: {@link LabCreation} holds the one it needs. A caller's transaction
     * (a roster, a reset) is joined, so that its rollback takes the new lab with it.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Created create(Caller caller, NewLab request, String idempotencyKey) {
        if (request == null) {
            throw ProblemException.badRequest("A JSON body with 'learnerId' and 'template' is required.");
        }
        String learnerId = requireId("learnerId", request.learnerId());
        String courseId = request.courseId() == null ? "" : requireId("courseId", request.courseId());
        LabTemplate template = catalog.find(request.template()).orElseThrow(() -> ProblemException.badRequest(
                request.template() == null ? "'template' is required; see GET /api/v1/templates."
                        : "Unknown lab template '" + request.template() + "'; see GET /api/v1/templates."));
        int ttl = request.ttlMinutes() == null ? config.ttl().defaultMinutes() : request.ttlMinutes();
        if (ttl < 1 || ttl > config.ttl().maxMinutes()) {
            throw ProblemException.badRequest("'ttlMinutes' must be between 1 and " + config.ttl().maxMinutes() + ".");
        }
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ProblemException.badRequest("The Idempotency-Key header must be 1 to 200 visible ASCII characters.");
        }

        Lab lab = Lab.requested(UUID.randomUUID(), caller.owner(), learnerId, courseId, template, Duration.ofMinutes(ttl));
        String cause = "requested by " + caller.name() + " for learner " + learnerId + (courseId.isEmpty() ? "" : " in course " + courseId);
        var outcome = creation.create(lab, cause, Optional.ofNullable(idempotencyKey).map(key ->
                // What a key is checked against when it comes again: only worked out when there is a key.
                new LabCreation.Key(key, SecretHashes.sha256Hex(String.join("\n", learnerId, courseId, template.id(), Integer.toString(ttl))))));
        if (!outcome.inserted()) {
            return new Created(Lab.findById(outcome.labId()), false);
        }
        history.created(lab, cause);
        // Observed after the commit: now, or when the caller's transaction commits.
        changed.fire(new LabChanged(lab.id));
        return new Created(lab, true);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Lab get(Caller caller, UUID id) {
        Lab lab = Lab.findById(id);
        // Another client's lab is reported as absent: its existence is not theirs to know.
        if (lab == null || !caller.mayAccess(lab.owner)) {
            throw ProblemException.notFound("No lab " + id + ".");
        }
        return lab;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<LabEvent> history(Caller caller, UUID id) {
        get(caller, id);
        return LabEvent.history(id);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public LabPage list(Caller caller, String learnerId, String courseId, String state, int page, int size) {
        Paging.require(page, size);
        var where = new ArrayList<String>();
        var params = new Parameters();
        if (!caller.admin()) {
            where.add("owner = :owner");
            params.and("owner", caller.owner());
        }
        // Filters follow the rules of the ids they match: a value no lab can have (a NUL byte, 10,000 characters) is a
        // 400, not a query the database refuses.
        if (learnerId != null) {
            requireId("learnerId", learnerId);
            where.add("learnerId = :learner");
            params.and("learner", learnerId);
        }
        if (courseId != null) {
            requireId("courseId", courseId);
            where.add("courseId = :course");
            params.and("course", courseId);
        }
        if (state != null) {
            where.add("state = :state");
            params.and("state", parseState(state));
        }
        var query = Lab.<Lab>find(where.isEmpty() ? "" : String.join(" and ", where), Sort.descending("createdAt").and("id"), params);
        return new LabPage(query.page(Page.of(page, size)).list(), query.count());
    }

    /** Asks for teardown; the reconciler deletes the namespace. Deleting again is harmless. */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public Lab delete(Caller caller, UUID id) {
        return VersionConflicts.retryingInNewTransaction(() -> {
            Lab lab = get(caller, id);
            requestTeardown(lab, "deleted by " + caller.name());
            return lab;
        });
    }

    /** Moves a lab that still has cluster objects to TEARING_DOWN; in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean requestTeardown(Lab lab, String cause) {
        if (lab.state == LabState.TEARING_DOWN || lab.state == LabState.DELETED) {
            return false;
        }
        Instant now = Instant.now();
        lab.teardownRequestedAt = now;
        lab.nextAttemptAt = now;
        lab.attempts = 0;
        history.transition(lab, LabState.TEARING_DOWN, cause);
        changed.fire(new LabChanged(lab.id));
        return true;
    }

    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public Lab extend(Caller caller, UUID id, Integer minutes) {
        int valid = requireExtensionMinutes(minutes);
        return VersionConflicts.retryingInNewTransaction(() -> extendNow(caller, id, valid));
    }

    private Lab extendNow(Caller caller, UUID id, int minutes) {
        Lab lab = get(caller, id);
        if (!lab.state.isLive()) {
            throw ProblemException.conflict("Lab " + id + " is " + lab.state + "; only a live lab can be extended.");
        }
        Instant next = extendedExpiry(lab, minutes);
        Instant limit = lifetimeLimit(lab);
        if (next.isAfter(limit)) {
            throw ProblemException.unprocessable("A lab lives at most " + config.ttl().maxLifetimeMinutes()
                    + " minutes; this one can be extended until " + limit + " at the latest.");
        }
        lab.expiresAt = next;
        lab.updatedAt = Instant.now();
        return lab;
    }

    /** The minutes of one extend, checked: 1 to the most a create may ask for. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public int requireExtensionMinutes(Integer minutes) {
        if (minutes == null || minutes < 1 || minutes > config.ttl().maxMinutes()) {
            throw ProblemException.badRequest("'minutes' must be between 1 and " + config.ttl().maxMinutes() + ".");
        }
        return minutes;
    }

    /** Where {@code minutes} more put a lab's expiry: counted from its expiry, or from now if that has passed. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Instant extendedExpiry(Lab lab, int minutes) {
        Instant now = Instant.now();
        Instant from = lab.expiresAt.isAfter(now) ? lab.expiresAt : now;
        return from.plus(Duration.ofMinutes(minutes));
    }

    /** The latest a lab may expire, however often it is extended: its creation plus the maximum lifetime. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Instant lifetimeLimit(Lab lab) {
        return lab.createdAt.plus(Duration.ofMinutes(config.ttl().maxLifetimeMinutes()));
    }

    /** A FAILED lab is asked for again: the reconciler re-applies everything (what exists is kept). */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public Lab retry(Caller caller, UUID id) {
        return VersionConflicts.retryingInNewTransaction(() -> retryNow(caller, id));
    }

    private Lab retryNow(Caller caller, UUID id) {
        Lab lab = get(caller, id);
        if (lab.state != LabState.FAILED) {
            throw ProblemException.conflict("Lab " + id + " is " + lab.state + "; only a FAILED lab can be retried.");
        }
        long live = Lab.count("owner = ?1 and learnerId = ?2 and courseId = ?3 and template = ?4 and state in ?5",
                lab.owner, lab.learnerId, lab.courseId, lab.template, LabState.LIVE);
        if (live > 0) {
            throw ProblemException.conflict("The learner already has a live lab of this template in this course.");
        }
        Instant now = Instant.now();
        lab.failureReason = null;
        lab.attempts = 0;
        lab.objectsAppliedAt = null;
        lab.provisioningStartedAt = null;
        lab.nextAttemptAt = now;
        history.transition(lab, LabState.REQUESTED, "retry requested by " + caller.name());
        changed.fire(new LabChanged(lab.id));
        return lab;
    }

    /** An LMS id (learner, course) as every create checks it; 400 naming {@code field} otherwise. */
    public static String requireId(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest("'" + field + "' is required and must not be empty.");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw ProblemException.badRequest("'" + field + "' must be at most " + MAX_ID_LENGTH + " characters.");
        }
        if (!ID.matcher(value).matches()) {
            throw ProblemException.badRequest("'" + field + "' may hold only letters, digits and . _ - @ + : (starting with a letter or digit).");
        }
        return value;
    }

    private static LabState parseState(String state) {
        try {
            return LabState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("Unknown state '" + state + "'; states are " + List.of(LabState.values()) + ".");
        }
    }
}
