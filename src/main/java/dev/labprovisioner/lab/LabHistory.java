package dev.labprovisioner.lab;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;

/** Moves a lab to a new state and records the change with its cause, in the caller's transaction. */
@ApplicationScoped
public class LabHistory {

    private static final Logger LOG = Logger.getLogger(LabHistory.class);
    private final MeterRegistry metrics;
    private final Event<LabTransitioned> transitioned;

    LabHistory(MeterRegistry metrics, Event<LabTransitioned> transitioned) {
        this.metrics = metrics;
        this.transitioned = transitioned;
    }

    /** Counts and logs a new lab; its REQUESTED event is written with its row (see LabService#create). */
    public void created(Lab lab, String cause) {
        announce(lab, null, cause);
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void transition(Lab lab, LabState to, String cause) {
        LabState from = lab.state;
        lab.state = to;
        lab.updatedAt = Instant.now();
        record(lab, from, cause);
    }

    private void record(Lab lab, LabState from, String cause) {
        LabState to = lab.state;
        Instant now = Instant.now();
        var event = new LabEvent();
        event.labId = lab.id;
        event.at = now;
        event.fromState = from;
        event.toState = to;
        event.cause = cause;
        event.persist();
        transitioned.fire(new LabTransitioned(lab, from));
        announce(lab, from, cause);
    }

    private void announce(Lab lab, LabState from, String cause) {
        LabState to = lab.state;
        metrics.counter("labs.transitions", "to", to.name()).increment();
        LOG.infof("Lab %s (%s): %s -> %s: %s", lab.id, lab.namespace, from, to, cause);
    }
}
