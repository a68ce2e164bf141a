package dev.labprovisioner.admin;

import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes admin actions to the audit log, in the action's own transaction, and pages through them. */
@ApplicationScoped
public class AuditLog {

    public record AuditPage(List<AuditEntry> items, long total) {
    }

    /** Records an action; MANDATORY so that the row commits, or rolls back, with what it records. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(Caller caller, AuditAction action, Object target, String detail) {
        var entry = new AuditEntry();
        entry.at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        entry.actor = caller.owner();
        entry.actorName = caller.name();
        entry.action = action;
        entry.target = target.toString();
        entry.detail = detail;
        entry.persist();
    }

    /** Newest first; {@code action} and {@code target} narrow it down when given. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public AuditPage page(String action, String target, int page, int size) {
        Paging.require(page, size);
        var where = new ArrayList<String>();
        var params = new Parameters();
        if (action != null) {
            where.add("action = :action");
            params.and("action", parseAction(action));
        }
        if (target != null) {
            where.add("target = :target");
            params.and("target", target);
        }
        var query = AuditEntry.<AuditEntry>find(String.join(" and ", where), Sort.descending("id"), params);
        return new AuditPage(query.page(Page.of(page, size)).list(), query.count());
    }

    private static AuditAction parseAction(String action) {
        try {
            return AuditAction.valueOf(action.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("Unknown action '" + action + "'; actions are " + List.of(AuditAction.values()) + ".");
        }
    }
}
