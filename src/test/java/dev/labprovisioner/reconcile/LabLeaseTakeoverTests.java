package dev.labprovisioner.reconcile;

import dev.labprovisioner.Api;
import dev.labprovisioner.lab.Lab;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Vetoed;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Short leases renewed by a heartbeat, on the real test PostgreSQL: two replicas side by side (two {@link HeldLeases} with
 * their own names) over the same labs table. A live holder keeps its lab however long its pass takes; a dead one's lab
 * is taken over once its lease runs out; a holder that cannot renew stops before that.
 */
@QuarkusTest
class LabLeaseTakeoverTests {

    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final Duration RENEW = Duration.ofMillis(500);

    @Inject
    LabLeases table;

    @Inject
    LabReconciler reconciler;

    private final List<HeldLeases> replicas = new ArrayList<>();
    private UUID lab;

    @BeforeEach
    void aLabThatNoReplicaOfTheServiceWorksOn() {
        // The service's own reconciler stands aside: this lab is worked on by the test's replicas only.
        reconciler.pause(true);
        lab = UUID.fromString(createLab(Api.lmsClient(), unique("learner"), null).statusCode(202).extract().path("id"));
    }

    @AfterEach
    void releaseTheLab() {
        replicas.forEach(r -> {
            r.stop();
            r.release(lab);
        });
        reconciler.pause(false);
    }

    @Test
    void aLiveHolderKeepsItsLabThroughAPassThatOutlastsManyLeases() {
        HeldLeases a = replica("a", table);
        HeldLeases b = replica("b", table);
        assertThat(a.claim(lab)).isTrue();

        // A pass of five leases: all along, a may go on and b cannot take the lab.
        await().during(LEASE.multipliedBy(5)).atMost(LEASE.multipliedBy(6)).pollInterval(Duration.ofMillis(50))
                .until(() -> a.holds(lab) && !b.claim(lab));
        assertThat(leaseOwner()).isEqualTo(a.owner());
        assertThat(fenced(a)).as("a's writes are recorded").isTrue();

        // The pass ends: b may take the lab at once.
        a.release(lab);
        assertThat(b.claim(lab)).isTrue();
        assertThat(leaseOwner()).isEqualTo(b.owner());
    }

    @Test
    void aKilledHoldersLabIsTakenOverWhenItsLeaseRunsOutAndIsDueThenWhateverItsNextAttempt() {
        HeldLeases a = replica("a", table);
        HeldLeases b = replica("b", table);
        assertThat(a.claim(lab)).isTrue();
        // Killed mid-pass (SIGKILL): no release, no more renewals; its last step had put the lab off for an hour.
        a.stop();
        QuarkusTransaction.requiringNew().run(() -> Lab.getEntityManager()
                .createNativeQuery("UPDATE labs SET next_attempt_at = now() + interval '1 hour' WHERE id = :id")
                .setParameter("id", lab).executeUpdate());
        assertThat(b.claim(lab)).as("a's lease has not run out").isFalse();
        assertThat(table.due(10_000)).doesNotContain(lab);

        long start = System.nanoTime();
        await().atMost(LEASE.plusSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> table.due(10_000).contains(lab));
        assertThat(b.claim(lab)).isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isLessThan(LEASE.plusSeconds(2));
        assertThat(leaseOwner()).isEqualTo(b.owner());
        assertThat(fenced(a)).as("the dead run's writes, had it any left, are refused").isFalse();
        assertThat(fenced(b)).isTrue();
    }

    @Test
    void aHolderThatCannotRenewStopsBeforeItsLeaseRunsOutAndOnlyThenIsTheLabTakenOver() {
        HeldLeases a = replica("a", new DatabaseUnreachableForRenewals(table));
        HeldLeases b = replica("b", table);
        assertThat(a.claim(lab)).isTrue();

        await().atMost(LEASE).pollInterval(Duration.ofMillis(20)).until(() -> !a.holds(lab));
        // a stopped with its lease still running: nobody else is working on the lab yet, and for a while.
        assertThat(b.claim(lab)).as("a's lease has not run out when a stops").isFalse();
        await().atMost(LEASE.plusSeconds(1)).pollInterval(Duration.ofMillis(50)).until(() -> b.claim(lab));
        assertThat(a.holds(lab)).isFalse();
        assertThat(fenced(a)).isFalse();
    }

    @Test
    void aHolderWhoseLeaseWasTakenStopsAtItsNextRenewal() {
        HeldLeases a = replica("a", table);
        assertThat(a.claim(lab)).isTrue();
        // As if a had missed renewals for longer than a lease and another replica took the lab meanwhile.
        QuarkusTransaction.requiringNew().run(() -> Lab.getEntityManager()
                .createNativeQuery("UPDATE labs SET lease_owner = 'replica-that-took-over/1', lease_until = now() + interval '1 minute' WHERE id = :id")
                .setParameter("id", lab).executeUpdate());

        await().atMost(RENEW.multipliedBy(3)).pollInterval(Duration.ofMillis(20)).until(() -> !a.holds(lab));
        assertThat(fenced(a)).isFalse();
        assertThat(leaseOwner()).isEqualTo("replica-that-took-over/1");
        QuarkusTransaction.requiringNew().run(() -> Lab.getEntityManager()
                .createNativeQuery("UPDATE labs SET lease_owner = NULL, lease_until = NULL WHERE id = :id")
                .setParameter("id", lab).executeUpdate());
    }

    @Test
    void aRenewIntervalThatCannotKeepALeaseIsRefused() {
        assertThatThrownBy(() -> new HeldLeases(table, "r", Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .hasMessageContaining("labs.reconciler.lease-renew").hasMessageContaining("less than half");
        assertThatThrownBy(() -> new HeldLeases(table, "r", Duration.ofSeconds(10), Duration.ZERO))
                .hasMessageContaining("labs.reconciler.lease-renew");
    }

    private HeldLeases replica(String name, LabLeases leases) {
        var replica = new HeldLeases(leases, unique("replica-" + name), LEASE, RENEW);
        replica.start();
        replicas.add(replica);
        return replica;
    }

    private String leaseOwner() {
        return QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>findById(lab).leaseOwner);
    }

    /** Whether the replica's progress could be written now (LabProgress's check in the writing transaction). */
    private boolean fenced(HeldLeases replica) {
        return QuarkusTransaction.requiringNew().call(() -> table.lockIfHeld(lab, replica.owner()));
    }

    /** The labs table as a replica sees it whose heartbeat cannot reach the database: claims work, renewals fail. */
    @Vetoed
    static final class DatabaseUnreachableForRenewals extends LabLeases {
        private final LabLeases real;

        DatabaseUnreachableForRenewals(LabLeases real) {
            super(null);
            this.real = real;
        }

        @Override
        public boolean claim(UUID id, String owner, Duration lease) {
            return real.claim(id, owner, lease);
        }

        @Override
        public List<UUID> renew(Collection<UUID> ids, String owner, Duration lease) {
            throw new PersistenceException("Connection to the database refused");
        }

        @Override
        public int releaseEarlierRuns(String replica, String currentOwner) {
            return real.releaseEarlierRuns(replica, currentOwner);
        }

        @Override
        public void release(UUID id, String owner) {
            real.release(id, owner);
        }
    }
}
