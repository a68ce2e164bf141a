package dev.labprovisioner.sandbox.controlplane;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import org.jboss.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Upstream's control plane on this machine, envtest style: Debian's etcd, and kube-apiserver and
 * kube-controller-manager v1.20.2 built by {@code sandbox-cluster/build-control-plane.sh}. RBAC, token
 * authentication and ServiceAccount signing are on; nothing listens beyond {@code bindAddress} (loopback by
 * default). What no control plane has, a node, is {@link NodeAgent}'s job.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);
    public static final String VERSION = "v1.20.2";
    /** Controllers a lab needs (the PV binder and both protection controllers, or namespaces never finish deleting). */
    static final String CONTROLLERS = "namespace,garbagecollector,statefulset,pvc-protection,pv-protection,serviceaccount,"
            + "serviceaccount-token,replicaset,deployment,endpoint,endpointslice,persistentvolume-binder,job,disruption";
    static final String USER_AGENT = "lab-provisioner-sandbox";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** Where the binaries are: the build script's cache, or {@code LABS_CONTROL_PLANE_BIN}. */
    public record Binaries(Path apiServer, Path controllerManager, Path etcd) {

        public static Optional<Binaries> find(Optional<String> binDir) {
            Path dir = binDir.filter(s -> !s.isBlank()).map(Path::of).orElseGet(Binaries::defaultDir);
            Path api = dir.resolve("kube-apiserver");
            Path kcm = dir.resolve("kube-controller-manager");
            Optional<Path> etcd = onPath("etcd");
            if (Files.isExecutable(api) && Files.isExecutable(kcm) && etcd.isPresent()) {
                return Optional.of(new Binaries(api, kcm, etcd.get()));
            }
            return Optional.empty();
        }

        /** Where {@code build-control-plane.sh} puts them: {@code $LABS_CONTROL_PLANE_DIR/bin}, else under the user's cache. */
        public static Path defaultDir() {
            String dir = System.getenv("LABS_CONTROL_PLANE_DIR");
            if (dir != null && !dir.isBlank()) {
                return Path.of(dir, "bin");
            }
            String cache = System.getenv("XDG_CACHE_HOME");
            Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("lab-provisioner/control-plane").resolve(VERSION).resolve("bin");
        }

        private static Optional<Path> onPath(String name) {
            String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
            for (String dir : path.split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    private final List<Process> processes;
    private final String url;
    private final String adminToken;
    private final Path pki;

    private ControlPlane(List<Process> processes, String url, String adminToken, Path pki) {
        this.processes = processes;
        this.url = url;
        this.adminToken = adminToken;
        this.pki = pki;
    }

    /** The sandbox's administrator: {@code admin.kubeconfig}, for the user and the tests. */
    public static final String ADMIN = "sandbox-admin";
    public static final String ADMIN_KUBECONFIG = "admin.kubeconfig";
    /** The name kube-controller-manager has on real clusters. */
    public static final String CONTROLLER_MANAGER = "system:kube-controller-manager";
    /** The node agent: kubelet, scheduler and volume provisioner of the sandbox's one node. */
    public static final String NODE_AGENT = "sandbox-node-agent";
    public static final String NODE_AGENT_KUBECONFIG = "node-agent.kubeconfig";

    /** Every request's metadata once, when its answer is complete; not the reads of watches and the controllers' leases. */
    private static final String AUDIT_POLICY = """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: [RequestReceived]
            rules:
            - level: None
              resources: [{group: coordination.k8s.io, resources: [leases]}]
            - level: None
              verbs: [watch]
            - level: Metadata
            """;

    /** Starts etcd, the API server and the controller manager under {@code workDir}, afresh (no state is kept). */
    public static ControlPlane start(Binaries bin, Path workDir, String bindAddress) {
        long started = System.nanoTime();
        List<Process> processes = new ArrayList<>();
        try {
            Path pki = Files.createDirectories(workDir.resolve("pki"));
            Path logs = Files.createDirectories(workDir.resolve("logs"));
            // The cluster starts afresh, and so does its audit log (the API server would append to the last run's).
            Files.deleteIfExists(logs.resolve("audit.log"));
            Path etcdData = workDir.resolve("etcd");
            deleteTree(etcdData);
            Certificates.ensure(pki, bindAddress);
            // token,user,uid,"groups": the sandbox's administrator, the controller manager and the node agent, each under
            // its own name (so the audit log tells them apart), all of them cluster administrators. The service never gets
            // one of these: it has its own ServiceAccount.
            Map<String, String> tokens = new java.util.LinkedHashMap<>();
            StringBuilder csv = new StringBuilder();
            for (String user : List.of(ADMIN, CONTROLLER_MANAGER, NODE_AGENT)) {
                tokens.put(user, HexFormat.of().formatHex(new SecureRandom().generateSeed(24)));
                csv.append(tokens.get(user)).append(',').append(user).append(',').append(user).append(",\"system:masters\"\n");
            }
            String adminToken = tokens.get(ADMIN);
            Files.writeString(pki.resolve("tokens.csv"), csv);
            // Who did what, and what the API server answered (logs/audit.log, one JSON line per request): how the
            // tests prove the service never met a 403 or a 422, and what an operator reads after a surprise.
            Files.writeString(pki.resolve("audit-policy.yaml"), AUDIT_POLICY);

            int etcdPort = freePort();
            int peerPort = freePort();
            int apiPort = freePort();
            processes.add(launch(logs.resolve("etcd.log"), bin.etcd().toString(),
                    "--name=sandbox", "--data-dir=" + etcdData,
                    "--listen-client-urls=http://127.0.0.1:" + etcdPort, "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                    "--listen-peer-urls=http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
                    "--initial-cluster=sandbox=http://127.0.0.1:" + peerPort, "--unsafe-no-fsync=true", "--log-level=warn"));
            String issuer = "https://kubernetes.default.svc.cluster.local";
            processes.add(launch(logs.resolve("kube-apiserver.log"), bin.apiServer().toString(),
                    "--bind-address=" + bindAddress, "--advertise-address=" + advertise(bindAddress),
                    "--secure-port=" + apiPort, "--insecure-port=0",
                    "--etcd-servers=http://127.0.0.1:" + etcdPort,
                    "--tls-cert-file=" + pki.resolve("apiserver.crt"), "--tls-private-key-file=" + pki.resolve("apiserver.key"),
                    "--client-ca-file=" + pki.resolve("ca.crt"), "--token-auth-file=" + pki.resolve("tokens.csv"),
                    "--authorization-mode=RBAC", "--allow-privileged=true",
                    "--service-account-issuer=" + issuer, "--api-audiences=" + issuer,
                    "--service-account-key-file=" + pki.resolve("sa.pub"), "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                    "--service-cluster-ip-range=10.0.0.0/24", "--profiling=false",
                    "--audit-policy-file=" + pki.resolve("audit-policy.yaml"), "--audit-log-path=" + logs.resolve("audit.log"),
                    "--audit-log-format=json", "--audit-log-maxsize=100", "--audit-log-maxbackup=1",
                    "--logtostderr=true", "--v=0"));
            String url = "https://" + (bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress) + ":" + apiPort;
            var plane = new ControlPlane(processes, url, adminToken, pki);
            plane.awaitReady("/readyz");
            plane.writeKubeconfig(workDir.resolve(ADMIN_KUBECONFIG), ADMIN, adminToken);
            plane.writeKubeconfig(workDir.resolve(NODE_AGENT_KUBECONFIG), NODE_AGENT, tokens.get(NODE_AGENT));
            Path kubeconfig = plane.writeKubeconfig(workDir.resolve("controller-manager.kubeconfig"), CONTROLLER_MANAGER,
                    tokens.get(CONTROLLER_MANAGER));
            processes.add(launch(logs.resolve("kube-controller-manager.log"), bin.controllerManager().toString(),
                    "--kubeconfig=" + kubeconfig, "--leader-elect=false", "--port=0", "--secure-port=0",
                    "--service-account-private-key-file=" + pki.resolve("sa.key"), "--root-ca-file=" + pki.resolve("ca.crt"),
                    "--controllers=" + CONTROLLERS, "--pvclaimbinder-sync-period=2s",
                    "--logtostderr=true", "--v=0"));
            LOG.infof("Control plane %s up at %s in %d ms (etcd, kube-apiserver, kube-controller-manager; logs in %s)",
                    VERSION, url, (System.nanoTime() - started) / 1_000_000, logs);
            return plane;
        } catch (IOException e) {
            processes.forEach(Process::destroyForcibly);
            throw new UncheckedIOException("Could not start the control plane", e);
        } catch (RuntimeException | Error e) {
            // An Error too (a class missing from a broken classpath): etcd and the API server must not outlive a failed start.
            processes.forEach(Process::destroyForcibly);
            throw e;
        }
    }

    public String url() {
        return url;
    }

    public Path caCertificate() {
        return pki.resolve("ca.crt");
    }

    /** The administrator's client configuration (group {@code system:masters}): for the sandbox itself, never the service. */
    public Config adminConfig() {
        return new ConfigBuilder().withMasterUrl(url).withOauthToken(adminToken).withCaCertFile(caCertificate().toString())
                .withUserAgent(USER_AGENT).withRequestRetryBackoffLimit(3).build();
    }

    private Path writeKubeconfig(Path file, String user, String token) throws IOException {
        Files.writeString(file, dev.labprovisioner.cluster.Kubeconfig.yaml("sandbox", url, Files.readString(caCertificate()), user, token, "default"));
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return file;
    }

    /** Every component still running. */
    public boolean alive() {
        return processes.stream().allMatch(Process::isAlive);
    }

    private void awaitReady(String path) {
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(caCertificate())).connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new IllegalStateException("A control plane component exited while starting (see its log under "
                        + pki.getParent().resolve("logs") + ")");
            }
            try {
                // Our own User-Agent: this build pretty-prints for curl's and crashed doing it (REAL-CONTROL-PLANE.md).
                var response = http.send(HttpRequest.newBuilder(URI.create(url + path)).header("User-Agent", USER_AGENT)
                        .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100); // polling a process we started; nothing to be notified by
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("kube-apiserver not ready after " + READY_TIMEOUT.toSeconds() + " s: " + last);
    }

    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the sandbox CA " + caFile, e);
        }
    }

    private static Process launch(Path log, String... command) throws IOException {
        var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        LOG.debugf("started %s (pid %d)", command[0], p.pid());
        return p;
    }

    private static String advertise(String bindAddress) {
        return bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        // The controller manager first, etcd last: the API server must not lose its store under a client.
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** The sandbox's PKI, made with openssl once per work directory: a CA, the API server's certificate, the ServiceAccount keys. */
    static final class Certificates {

        static void ensure(Path pki, String bindAddress) throws IOException {
            if (Files.exists(pki.resolve("sa.pub")) && Files.exists(pki.resolve("apiserver.crt"))) {
                return;
            }
            String sans = "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,"
                    + "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
                    + (bindAddress.equals("127.0.0.1") || bindAddress.equals("0.0.0.0") ? "" : ",IP:" + bindAddress);
            Files.writeString(pki.resolve("san.ext"), sans + "\nextendedKeyUsage=serverAuth\n");
            openssl(pki, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                    "-days", "3650", "-subj", "/CN=lab-provisioner-sandbox-ca");
            openssl(pki, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "apiserver.key", "-out", "apiserver.csr",
                    "-subj", "/CN=kube-apiserver");
            openssl(pki, "x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "apiserver.crt", "-days", "3650", "-extfile", "san.ext");
            openssl(pki, "genrsa", "-out", "sa.key", "2048");
            openssl(pki, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
        }

        private static void openssl(Path dir, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of("openssl"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (p.waitFor() != 0) {
                    throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }
}
