package dev.labprovisioner.admin;

import dev.labprovisioner.checkpoint.CheckpointService;
import dev.labprovisioner.checkpoint.rest.ProgressView;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.lab.VersionConflicts;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an instructor does to a whole course or to any learner's lab (DESIGN §1): the course's progress, labs for
 * a roster, more time for everyone, force teardown, reset, and the figures. The lab rules stay in
 * {@link LabService}; every change is audited in its own transaction.
 */
@ApplicationScoped
@Transactional
public class AdminService {

    /** The most learners one bulk create takes: one transaction, and an answer that still fits a page. */
    public static final int MAX_ROSTER = 500;

    private final LabService labs;
    private final CheckpointService checkpoints;
    private final LabTemplateCatalog catalog;
    private final AuditLog audit;
    private final EntityManager em;

    AdminService(LabService labs, CheckpointService checkpoints, LabTemplateCatalog catalog, AuditLog audit, EntityManager em) {
        this.labs = labs;
        this.checkpoints = checkpoints;
        this.catalog = catalog;
        this.audit = audit;
        this.em = em;
    }

    public record Roster(String template, List<String> learnerIds, Integer ttlMinutes) {
    }

    /** The roster's labs in the roster's order; {@code isNew} tells created from already there. */
    public record RosterLabs(List<LabService.Created> labs) {
        public long created() {
            return labs.stream().filter(LabService.Created::isNew).count();
        }

        public long existing() {
            return labs.size() - created();
        }
    }

    /** A lab whose extension stopped at its maximum lifetime: it asked for {@code asked}, got {@code lab.expiresAt}. */
    public record Limited(Lab lab, Instant asked) {
    }

    public record CourseExtension(List<Lab> extended, List<Limited> limited) {
    }

    /** A reset: the lab asked about, and the learner's fresh one ({@code isNew} false when an earlier reset made it). */
    public record Reset(Lab old, Lab replacement, boolean isNew) {
    }

    public record LearnerProgress(Lab lab, ProgressView progress) {
    }

    public record CourseProgress(String courseId, LabTemplate template, List<LearnerProgress> learners) {
    }

    /** Seconds from the start of provisioning (or the create, if it never started) to READY; null without data. */
    public record TimeToReady(Double p50Seconds, Double p95Seconds, long count) {
    }

    public record LabStats(Map<LabState, Long> labsByState, TimeToReady timeToReady) {
    }

    /**
     * A lab for each learner of the roster, owned by the caller: one transaction, so that a learner the create
     * refuses (or a bad template or TTL) leaves nothing behind. Idempotent through the create's natural key.
     */
    public RosterLabs createForRoster(Caller caller, String courseId, Roster roster) {
        return createForRoster(caller, caller, courseId, roster);
    }

    /**
     * The same, with the labs owned by {@code owner} rather than the caller (an LTI platform's, so that a learner's own
     * launch later finds the lab the roster made); the audit names the caller.
     */
    public RosterLabs createForRoster(Caller caller, Caller owner, String courseId, Roster roster) {
        LabService.requireId("courseId", courseId);
        if (roster == null) {
            throw ProblemException.badRequest("A JSON body {\"template\", \"learnerIds\", \"ttlMinutes\"} is required.");
        }
        List<String> learnerIds = roster.learnerIds();
        if (learnerIds == null || learnerIds.isEmpty()) {
            throw ProblemException.badRequest("'learnerIds' must list at least one learner.");
        }
        if (learnerIds.size() > MAX_ROSTER) {
            throw ProblemException.badRequest("'learnerIds' holds " + learnerIds.size() + " learners; at most " + MAX_ROSTER
                    + " per call (split the roster).");
        }
        var seen = new HashSet<String>();
        for (int i = 0; i < learnerIds.size(); i++) {
            String learnerId = LabService.requireId("learnerIds[" + i + "]", learnerIds.get(i));
            if (!seen.add(learnerId)) {
                throw ProblemException.badRequest("'learnerIds' names learner '" + learnerId + "' twice.");
            }
        }
        // In learner order, so that two overlapping bulk creates take the natural key's row locks in the same order.
        var byLearner = new HashMap<String, LabService.Created>();
        learnerIds.stream().sorted().forEach(learnerId -> byLearner.put(learnerId,
                labs.create(owner, new LabService.NewLab(learnerId, courseId, roster.template(), roster.ttlMinutes()), null)));
        var result = new RosterLabs(learnerIds.stream().map(byLearner::get).toList());
        audit.record(caller, AuditAction.LABS_BULK_CREATE, courseId, (owner.equals(caller) ? "" : "for " + owner.name() + ", ")
                + "template " + roster.template() + ", " + learnerIds.size()
                + " learners: " + result.created() + " labs created, " + result.existing() + " already there");
        return result;
    }

    /**
     * Gives every live lab of the course {@code minutes} more, as a single extend would, in one transaction. A lab
     * that would pass its maximum lifetime gets as much as it may (up to that limit) and is reported as limited,
     * rather than failing the whole course: the instructor sees which learners could not get all the time.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public CourseExtension extendCourse(Caller caller, String courseId, Integer minutes) {
        LabService.requireId("courseId", courseId);
        int valid = labs.requireExtensionMinutes(minutes);
        return VersionConflicts.retryingInNewTransaction(() -> {
            var extended = new ArrayList<Lab>();
            var limited = new ArrayList<Limited>();
            List<Lab> live = Lab.list("courseId = ?1 and state in ?2 order by learnerId, createdAt", courseId, LabState.LIVE);
            Instant now = Instant.now();
            for (Lab lab : live) {
                Instant asked = labs.extendedExpiry(lab, valid);
                Instant limit = labs.lifetimeLimit(lab);
                Instant next = asked.isAfter(limit) ? limit : asked;
                if (next.isAfter(lab.expiresAt)) {
                    lab.expiresAt = next;
                    lab.updatedAt = now;
                    extended.add(lab);
                }
                if (asked.isAfter(limit)) {
                    limited.add(new Limited(lab, asked));
                }
            }
            audit.record(caller, AuditAction.COURSE_EXTEND, courseId, valid + " minutes: " + extended.size() + " of " + live.size()
                    + " live labs extended, " + limited.size() + " limited by the maximum lifetime");
            return new CourseExtension(extended, limited);
        });
    }

    /** Tears down any lab, whoever owns it. Harmless on a lab already going or gone (and still audited). */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public Lab forceTeardown(Caller caller, UUID id) {
        return VersionConflicts.retryingInNewTransaction(() -> {
            Lab lab = find(id);
            LabState before = lab.state;
            boolean started = labs.requestTeardown(lab, "force teardown by " + caller.name());
            audit.record(caller, AuditAction.LAB_FORCE_TEARDOWN, id, (started ? "was " : "already ") + before
                    + "; learner " + lab.learnerId + courseText(lab));
            return lab;
        });
    }

    /**
     * Replaces a learner's lab with a fresh one of the same learner, course, template and owner (so the LMS that
     * asked for the first sees the second). Called again, the old lab is already going and the create's natural key
     * answers with the replacement: a double click makes one new lab, not two.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public Reset reset(Caller caller, UUID id, Integer ttlMinutes) {
        return VersionConflicts.retryingInNewTransaction(() -> {
            Lab old = find(id);
            LabState before = old.state;
            labs.requestTeardown(old, "reset by " + caller.name());
            // The live-lab unique index must see the old lab leave before the new one is inserted.
            em.flush();
            var onBehalfOfOwner = new Caller(old.owner, caller.name(), true);
            var created = labs.create(onBehalfOfOwner, new LabService.NewLab(old.learnerId,
                    old.courseId.isEmpty() ? null : old.courseId, old.template, ttlMinutes), null);
            Lab replacement = created.lab();
            audit.record(caller, AuditAction.LAB_RESET, id, "was " + before + "; learner " + old.learnerId + courseText(old)
                    + (created.isNew() ? "; replaced by lab " : "; the learner's live lab is already ") + replacement.id);
            return new Reset(old, replacement, created.isNew());
        });
    }

    /**
     * One row per learner of the course: their latest lab of the template (live or not) and its progress, from two
     * queries whatever the class size. Without {@code template}, the course's only one; a course that has several
     * must name one.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public CourseProgress courseProgress(String courseId, String templateId) {
        return courseProgress(courseId, templateId, null);
    }

    /**
     * As {@link #courseProgress(String, String)}, of one owner's labs only ({@code owner} null: every owner's): an LMS's
     * course is its own, and another client's lab of the same learner and course id must not stand in for its learner's.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public CourseProgress courseProgress(String courseId, String templateId, String owner) {
        LabService.requireId("courseId", courseId);
        LabTemplate template = templateId != null
                ? catalog.find(templateId).orElseThrow(() -> ProblemException.badRequest(
                        "Unknown lab template '" + templateId + "'; see GET /api/v1/templates."))
                : courseTemplate(courseId);
        @SuppressWarnings("unchecked")
        List<Lab> latest = em.createNativeQuery("""
                        SELECT DISTINCT ON (learner_id) * FROM labs
                        WHERE course_id = :course AND template = :template AND (:owner = '' OR owner = :owner)
                        ORDER BY learner_id, created_at DESC, id DESC""", Lab.class)
                .setParameter("course", courseId).setParameter("template", template.id()).setParameter("owner", owner == null ? "" : owner)
                .getResultList();
        Map<UUID, ProgressView> progress = checkpoints.progress(latest);
        return new CourseProgress(courseId, template, latest.stream().map(l -> new LearnerProgress(l, progress.get(l.id))).toList());
    }

    private LabTemplate courseTemplate(String courseId) {
        @SuppressWarnings("unchecked")
        List<String> templates = em.createNativeQuery("SELECT DISTINCT template FROM labs WHERE course_id = :course ORDER BY template")
                .setParameter("course", courseId).getResultList();
        if (templates.isEmpty()) {
            throw ProblemException.notFound("Course " + courseId + " has no labs.");
        }
        if (templates.size() > 1) {
            throw ProblemException.badRequest("Course " + courseId + " has labs of several templates " + templates
                    + "; name one with ?template=.");
        }
        return catalog.find(templates.get(0)).orElseThrow(() -> ProblemException.conflict(
                "Lab template " + templates.get(0) + " of course " + courseId + " is no longer offered."));
    }

    /** Labs by state, and time to READY (p50, p95) by PostgreSQL's percentile_cont in one query. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public LabStats stats() {
        var byState = new EnumMap<LabState, Long>(LabState.class);
        for (LabState state : LabState.values()) {
            byState.put(state, 0L);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> counts = em.createNativeQuery("SELECT state, count(*) FROM labs GROUP BY state").getResultList();
        for (Object[] row : counts) {
            byState.put(LabState.valueOf((String) row[0]), ((Number) row[1]).longValue());
        }
        // From the start of provisioning, as the labs.time.to.ready metric measures it: the same figure in both places.
        Object[] ready = (Object[]) em.createNativeQuery("""
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds),
                       count(*)
                FROM (SELECT CAST(EXTRACT(EPOCH FROM ready_at - COALESCE(provisioning_started_at, created_at)) AS DOUBLE PRECISION) AS seconds
                      FROM labs WHERE ready_at IS NOT NULL) AS r""").getSingleResult();
        return new LabStats(byState, new TimeToReady(seconds(ready[0]), seconds(ready[1]), ((Number) ready[2]).longValue()));
    }

    private static Double seconds(Object value) {
        return value == null ? null : Math.round(((Number) value).doubleValue() * 1000) / 1000.0;
    }

    private static Lab find(UUID id) {
        Lab lab = Lab.findById(id);
        if (lab == null) {
            throw ProblemException.notFound("No lab " + id + ".");
        }
        return lab;
    }

    private static String courseText(Lab lab) {
        return lab.courseId.isEmpty() ? "" : " in course " + lab.courseId;
    }
}
