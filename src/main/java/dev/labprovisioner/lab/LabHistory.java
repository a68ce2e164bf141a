package dev.labprovisioner.lab;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;

/** Moves a lab to a new state and records the change with its cause, in the caller's transaction. */
@ApplicationScoped
public class LabHistory {

    private static final Logger LOG = Logger.getLogger(LabHistory.class);
    private final MeterRegistry metrics;

    LabHistory(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void transition(Lab lab, LabState to, String cause) {
        LabState from = lab.state;
        Instant now = Instant.now();
        lab.state = to;
        lab.updatedAt = now;
        var event = new LabEvent();
        event.labId = lab.id;
        event.at = now;
        event.fromState = from;
        event.toState = to;
        event.cause = cause;
        event.persist();
        metrics.counter("labs.transitions", "to", to.name()).increment();
        LOG.infof("Lab %s (%s): %s -> %s: %s", lab.id, lab.namespace, from, to, cause);
    }
}
