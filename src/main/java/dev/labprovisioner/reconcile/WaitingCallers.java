package dev.labprovisioner.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The API writes being answered right now (a create, a delete, an extend): a caller waits on each, often a
 * learner who just clicked "start". Background work gives way to them for a moment, so that a class's burst
 * of creates is answered at once and provisioned right after, instead of both sharing the CPU and everything
 * being slow. Reads don't count: an LMS polling a lab's state must not hold its provisioning back.
 */
@ApplicationScoped
public class WaitingCallers {

    private final AtomicInteger writes = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition none = lock.newCondition();
    private final Timer gaveWay;

    WaitingCallers(MeterRegistry metrics) {
        this.gaveWay = Timer.builder("labs.reconciler.gave.way")
                .description("Time reconcile passes waited for API writes being answered to finish").register(metrics);
    }

    /** Ahead of every other route: counts each API write from its first byte until its response is done. */
    void count(@Observes Router router) {
        router.route("/api/*").order(Integer.MIN_VALUE).handler(this::onRequest);
    }

    private void onRequest(RoutingContext rc) {
        HttpMethod method = rc.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS) {
            writes.incrementAndGet();
            rc.addEndHandler(done -> finished());
        }
        rc.next();
    }

    private void finished() {
        if (writes.decrementAndGet() == 0) {
            lock.lock();
            try {
                none.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** API writes being answered now. */
    public int writes() {
        return writes.get();
    }

    /**
     * Waits until no API write is being answered, or {@code atMost} has passed: the bound keeps background work
     * going under a steady stream of writes. Returns at once when there is none.
     */
    public void giveWay(Duration atMost) throws InterruptedException {
        if (writes.get() == 0 || atMost.isZero()) {
            return;
        }
        long start = System.nanoTime();
        long left = atMost.toNanos();
        lock.lock();
        try {
            while (writes.get() > 0 && left > 0) {
                left = none.awaitNanos(left);
            }
        } finally {
            lock.unlock();
            gaveWay.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }
}
