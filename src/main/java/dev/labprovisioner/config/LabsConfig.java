package dev.labprovisioner.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the service, under {@code labs.*} (environment: {@code LABS_*}). */
@ConfigMapping(prefix = "labs")
public interface LabsConfig {

    enum Mode { SANDBOX, REAL }

    /** {@code sandbox} (embedded PostgreSQL and Kubernetes API, the default) or {@code real}. */
    @WithDefault("sandbox")
    Mode mode();

    /** Base URL learners reach this service at; learner links start with it. */
    @WithDefault("http://localhost:${quarkus.http.port:8080}")
    String publicBaseUrl();

    /** Lab templates offered, by id; each is {@code lab-templates/<id>.yaml} on the classpath. */
    @WithDefault("postgres-statefulset")
    List<String> templates();

    /** Overrides the PostgreSQL image of every template. */
    Optional<String> postgresImage();

    Admin admin();

    Learner learner();

    Api api();

    Limits limits();

    Ttl ttl();

    Reconciler reconciler();

    Sweeper sweeper();

    Reaper reaper();

    Checks checks();

    History history();

    Database database();

    Outbox outbox();

    Webhooks webhooks();

    Lti lti();

    /** LTI 1.3 (DESIGN §9): the tool's keys, the launch's checks, the platforms' URLs. */
    interface Lti {
        /**
         * Key that encrypts the tool's private signing keys at rest (base64, 32+ bytes). Required in real mode; sandbox
         * makes one per start (and then makes a new key pair when the stored one cannot be decrypted).
         */
        Optional<String> keyEncryptionKey();

        /** After a rotation, how long the previous public key stays in {@code /lti/jwks} (platforms cache it). */
        @WithDefault("72h")
        Duration keyOverlap();

        /** Leeway on an id_token's {@code exp} and {@code iat}, for clocks that disagree. */
        @WithDefault("60s")
        Duration clockSkew();

        /** How long the OIDC login's state and nonce (and a deep-linking request's catalog) wait for the launch. */
        @WithDefault("10m")
        Duration loginTimeout();

        /** Longest wait for a platform's answer (and to connect): its JWKS, and later its token and grade endpoints. */
        @WithDefault("5s")
        Duration httpTimeout();

        /** How long a platform's JWKS is used before it is fetched again (an unknown {@code kid} fetches it at once). */
        @WithDefault("10m")
        Duration jwksCacheTtl();

        /** Shortest time between two fetches of one platform's JWKS for an unknown {@code kid} (a forged token cannot make us hammer it). */
        @WithDefault("10s")
        Duration jwksRefetchInterval();

        /** Plain http platform URLs (on loopback only): allowed in the sandbox, refused in real mode unless set to true. */
        Optional<Boolean> allowHttp();

        /**
         * Longest wait for a platform's answer to a token, line item, score or membership request (AGS, NRPS); connecting
         * waits at most {@code http-timeout}.
         */
        @WithDefault("15s")
        Duration servicesTimeout();
    }

    interface Outbox {
        /** How often each replica looks for deliveries that are due (a commit that writes one wakes it sooner). */
        @WithDefault("1s")
        Duration pollInterval();

        /** Deliveries sent at once per replica. */
        @WithDefault("4")
        int senders();

        /** A delivery's row lease while one replica sends it: longer than a send may take (the webhook timeout). */
        @WithDefault("60s")
        Duration lease();

        /**
         * The waits after each failed attempt (each with +/-20% jitter); after the last one it gives up. The default
         * spans about 3 days and 3 hours over 10 attempts.
         */
        @WithDefault("5s,5m,30m,2h,5h,10h,14h,20h,24h")
        List<Duration> retrySchedule();

        /**
         * How long a DELIVERED event is kept (in the deliveries endpoint, redeliverable) before it and its attempts are
         * pruned. Undelivered and given-up deliveries stay.
         */
        @WithDefault("7d")
        Duration keepDelivered();

        /** How often delivered events older than {@code keepDelivered} are pruned. */
        @WithDefault("1h")
        Duration pruneInterval();
    }

    interface Webhooks {
        /** Longest wait for a receiver's answer (and to connect). */
        @WithDefault("15s")
        Duration timeout();

        /** Plain http destinations: allowed in the sandbox, refused in real mode unless set to true. */
        Optional<Boolean> allowHttp();

        /**
         * Destinations on loopback, link-local, private or other non-public addresses: allowed in the sandbox,
         * refused in real mode unless set to true.
         */
        Optional<Boolean> allowPrivateAddresses();

        /** Most subscriptions an API client may have. */
        @WithDefault("20")
        int maxPerClient();

        /** After a secret rotation, how long the previous secret still signs next to the new one. */
        @WithDefault("24h")
        Duration secretOverlap();

        /** {@code lab.expiring} is sent this long before a READY lab's {@code expiresAt} (once per expiry; an extend re-arms it). */
        @WithDefault("15m")
        Duration expiringBefore();

        /** How often each replica looks for labs entering that window. */
        @WithDefault("30s")
        Duration expiringScanInterval();
    }

    interface Database {
        /** What a 503 answered while the service's database cannot be reached tells the caller in {@code Retry-After}. */
        @WithDefault("5s")
        Duration retryAfter();

        /**
         * Longest an API call waits for a database connection (the pool's acquisition timeout): once the database
         * cannot be reached, calls are answered 503 within this (and at once when the probe has seen it).
         */
        @WithDefault("750ms")
        Duration acquisitionTimeout();

        /** How often the database is probed: an outage and its end show in readiness and the log within this. */
        @WithDefault("1s")
        Duration probeInterval();
    }

    interface History {
        /**
         * How long after a lab is DELETED its timeline, validation history and data baseline are kept. The lab,
         * its state changes and its checkpoint results (the grades) stay for good.
         */
        @WithDefault("30d")
        Duration keep();

        /** How often old history is pruned. */
        @WithDefault("1h")
        Duration pruneInterval();
    }

    interface Checks {
        /** How long a check that acts waits for the lab to settle (e.g. postgres-0 back Ready). */
        @WithDefault("3m")
        Duration actTimeout();

        /** Longest a learner's SQL statement may run in the sandbox. */
        @WithDefault("5s")
        Duration sqlTimeout();

        /** Most rows a learner's SQL returns in the sandbox (the rest are counted, not sent). */
        @WithDefault("500")
        int sqlMaxRows();
    }

    interface Reaper {
        /** How often expired labs are looked for. */
        @WithDefault("30s")
        Duration interval();
    }

    Cluster cluster();

    Sandbox sandbox();

    interface Admin {
        /** The first admin credential. Required in real mode; sandbox defaults it to {@code sandbox-admin-token}. */
        Optional<String> bootstrapToken();
    }

    interface Api {
        /**
         * Threads that run the creates' SQL; more creates wait their turn, in arrival order. A few are enough:
         * each create is one short statement, and more threads would only share the same cores.
         */
        @WithDefault("4")
        int createThreads();

        /** A create still waiting for one of those threads after this is answered 503, and never runs. */
        @WithDefault("10s")
        Duration createQueueTimeout();
    }

    /**
     * How large a request may be. Past a limit the answer is a 414, 431 or 413 problem+json (RequestLimits), before
     * any endpoint runs. The HTTP codec's own limits ({@code quarkus.http.limits.*}) are set well above these.
     */
    interface Limits {
        /** The longest request target (path and query, as sent, percent-encoding included), in characters. */
        @WithDefault("4096")
        int urlLength();

        /** The most header bytes a request may carry, names and values together. */
        @WithDefault("20K")
        MemorySize headerSize();

        /** The largest request body, with a Content-Length or chunked. */
        @WithDefault("1M")
        MemorySize bodySize();
    }

    interface Learner {
        /** Key that signs learner links (base64, 32+ bytes). Required in real mode; sandbox makes one per start. */
        Optional<String> signingKey();

        /**
         * The Content-Security-Policy {@code frame-ancestors} of the learner's pages (application.properties applies it):
         * {@code 'none'}, or the origins of LMSs that show the page in an iframe, space-separated.
         */
        String frameAncestors();
    }

    interface Ttl {
        @WithDefault("120")
        int defaultMinutes();

        /** The most a create or one extend may ask for. */
        @WithDefault("480")
        int maxMinutes();

        /** No lab lives longer than this after its creation, however often it is extended. */
        @WithDefault("1440")
        int maxLifetimeMinutes();
    }

    interface Reconciler {
        /** How often each replica looks for labs whose next step is due (watch events wake it sooner). */
        @WithDefault("1s")
        Duration interval();

        @WithDefault("4")
        int workers();

        @WithDefault("32")
        int batchSize();

        /**
         * How long a reconcile pass waits, at most, for the API writes being answered (creates, deletes) to finish
         * before it starts: callers first, provisioning right after. 0 turns it off.
         */
        @WithDefault("1s")
        Duration giveWay();

        /**
         * How long a lab's lease lasts unless renewed: the longest another replica waits before taking over the labs of
         * one that died holding them. Its holder renews it every {@link #leaseRenew()} while it works on the lab.
         */
        @WithDefault("10s")
        Duration lease();

        /**
         * How often a replica renews every lease it holds, in one statement (default: a third of the lease; less than
         * half of it). A pass stops once its lease, as last renewed, has less than this left: a replica that cannot
         * renew (the database unreachable, the lease lost) stops before another replica may take the lab.
         */
        Optional<Duration> leaseRenew();

        /**
         * This replica's stable name (default: the host name, which is the pod's name on Kubernetes). A replica that
         * restarts under the same name takes back at once the leases its previous run held, instead of waiting them
         * out. Two live replicas must never share it.
         */
        Optional<String> replicaId();

        /**
         * A lab whose volume claim is still not bound after this becomes FAILED, with the reason its Events give (no such
         * StorageClass, no volume available), instead of waiting out the provision timeout.
         */
        @WithDefault("2m")
        Duration claimBindTimeout();

        /** A lab not Ready after this becomes FAILED. */
        @WithDefault("10m")
        Duration provisionTimeout();

        /** Failed reconcile passes (each already retrying its Kubernetes calls) before a lab becomes FAILED. */
        @WithDefault("6")
        int maxAttempts();

        @WithDefault("1s")
        Duration backoffBase();

        @WithDefault("60s")
        Duration backoffMax();

        /** Tries of one Kubernetes call on 409/429/5xx/timeouts before the pass gives up. */
        @WithDefault("5")
        int callAttempts();

        @WithDefault("100ms")
        Duration callBackoff();

        /** Fallback re-check of a lab waiting for the cluster, in case a watch event is missed. */
        @WithDefault("30s")
        Duration recheck();
    }

    interface Sweeper {
        /** How often namespaces labelled as ours but owned by no lab are looked for. */
        @WithDefault("5m")
        Duration interval();

        /** Namespaces labelled as ours this much younger are left alone (their lab row may be in flight). */
        @WithDefault("60s")
        Duration minAge();
    }

    interface Cluster {
        /** API server URL written into learners' kubeconfigs (real mode); defaults to the client's own. */
        Optional<String> learnerApiUrl();

        /**
         * The service's own ServiceAccount, to which each lab namespace binds {@code lab-provisioner-lab} (what the service
         * does inside a lab): the one of {@code k8s/} unless the service is deployed elsewhere.
         */
        @WithDefault("lab-provisioner")
        String serviceAccount();

        @WithDefault("lab-provisioner")
        String serviceAccountNamespace();

        /** How long the informers' watches may stay closed (the API server unreachable) before readiness says DOWN. */
        @WithDefault("5s")
        Duration unreachableAfter();

        /**
         * Whether the cluster must prove that it enforces Pod Security in lab namespaces ({@code PodSecurityProbe}):
         * {@code require} (refuse to start, and not ready, otherwise), {@code warn} (say so loudly; the sandbox's default)
         * or {@code off}.
         */
        @WithDefault("require")
        String podSecurityCheck();

        /** Pod Security admission level labelled on lab namespaces. */
        @WithDefault("restricted")
        String podSecurityLevel();
    }

    interface Sandbox {
        /** Where the sandbox cluster keeps its files (its PostgreSQL, its control plane, its log). */
        Optional<String> workDir();

        /**
         * A running sandbox cluster's connection file (what {@code sandbox-cluster/run} writes): the service uses that
         * sandbox instead of starting its own (read at start by SandboxConfigSourceFactory).
         */
        Optional<String> attach();

        /** The connection file of the sandbox cluster in use: set by the service itself at start, never by hand. */
        Optional<String> connection();

        /** The command that starts the sandbox cluster as its own process (read at start by SandboxConfigSourceFactory). */
        @WithDefault("sandbox-cluster/run")
        String launcher();

        /**
         * Which Kubernetes the sandbox runs: {@code auto} (upstream's control plane where
         * {@code sandbox-cluster/build-control-plane.sh} has built it, else the embedded imitation),
         * {@code control-plane} (refuse to start without it) or {@code imitation}. Read before start-up, by
         * {@code SandboxConfigSourceFactory}; declared here for documentation and validation.
         */
        @WithDefault("auto")
        String engine();

        /** Where kube-apiserver and kube-controller-manager are (default: the build script's cache). */
        Optional<String> controlPlaneBin();

        /** The address the sandbox's Kubernetes API listens on: loopback unless configured otherwise. */
        @WithDefault("127.0.0.1")
        String bindAddress();

        /** How long a deleted pod stays Terminating on the control plane's simulated node (capped by its grace period). */
        @WithDefault("1s")
        Duration podTerminationDelay();

        /** Port of the in-process Kubernetes API of the imitation (0: any free port). */
        @WithDefault("0")
        int kubernetesPort();

        /** Time from a simulated pod's creation to Ready. */
        @WithDefault("1s")
        Duration podReadyDelay();

        /** CPU of the simulated node: a pod requesting more is Unschedulable. */
        @WithDefault("4")
        double nodeCpuCores();

        /** Images the simulated kubelet cannot pull (regular expression). */
        @WithDefault(".*\\.invalid/.*")
        String unpullableImages();

        /**
         * How long the sandbox waits before starting its embedded PostgreSQL again when it has died (on the same data
         * directory and port; read at start by SandboxConfigSourceFactory).
         */
        @WithDefault("0s")
        Duration postgresRestartDelay();
    }
}
