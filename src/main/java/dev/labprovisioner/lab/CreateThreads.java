package dev.labprovisioner.lab;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The few threads ({@code labs.api.create-threads}) a create runs its SQL on. The request's body is read and its
 * answer written on the I/O thread; only the database work comes here, and waits its turn in arrival order. So a
 * class's burst of creates is answered first come, first served, instead of fifty threads sharing the cores and
 * every create being slow together (and each one handing its body and its answer between threads).
 * <p>
 * A create that waited {@code labs.api.create-queue-timeout} without getting a thread (the database is stuck or
 * far too slow) is answered 503 and never runs: the caller gets an answer, and nothing was made.
 * <p>
 * The work runs on the request's Vert.x context, so request-scoped beans (the Hibernate session) work in it,
 * and its result comes back on the I/O thread.
 */
@ApplicationScoped
public class CreateThreads {

    private static final int QUEUED = 0;
    private static final int STARTED = 1;
    private static final int ABANDONED = 2;

    private final WorkerExecutor executor;
    private final Duration queueTimeout;

    CreateThreads(Vertx vertx, LabsConfig config) {
        this.executor = vertx.createSharedWorkerExecutor("lab-create", config.api().createThreads());
        this.queueTimeout = config.api().createQueueTimeout();
    }

    public <T> Uni<T> run(Callable<T> work) {
        var state = new AtomicInteger(QUEUED);
        CompletionStage<T> result = executor.<T>executeBlocking(() -> state.compareAndSet(QUEUED, STARTED) ? work.call() : null, false)
                .toCompletionStage();
        // Each subscription gets a stage of its own: the timeout cancels the one it gives up on, never the result.
        Supplier<CompletionStage<T>> ownStage = () -> result.thenApply(Function.identity());
        return Uni.createFrom().completionStage(ownStage).ifNoItem().after(queueTimeout).recoverWithUni(() ->
                state.compareAndSet(QUEUED, ABANDONED)
                        ? Uni.createFrom().failure(new ProblemException(Response.Status.SERVICE_UNAVAILABLE,
                                "Lab creation is waiting for the database; nothing was created. Try again in a moment."))
                        // Already running: its answer is the one to give.
                        : Uni.createFrom().completionStage(ownStage));
    }

    @PreDestroy
    void close() {
        executor.close();
    }
}
