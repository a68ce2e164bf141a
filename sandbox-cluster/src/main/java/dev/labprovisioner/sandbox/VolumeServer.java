package dev.labprovisioner.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a kubelet's exec would give the service, in a cluster whose pods run nothing: the way into a volume's database.
 * {@code POST /volumes/<claim uid>} (or {@code ?as=learner}) with the sandbox's volume token answers
 * {@code {"url": ..., "user": ..., "options": ...}}, creating the volume's database on first use; the service then
 * connects itself. 410 once the claim is gone, 401 without the token. It listens on the sandbox's bind address.
 */
final class VolumeServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VolumeServer.class);
    private static final Pattern PATH = Pattern.compile("/volumes/([0-9a-fA-F-]{1,64})");

    private final HttpServer server;
    private final String token;

    private VolumeServer(HttpServer server, String token) {
        this.server = server;
        this.token = token;
    }

    static VolumeServer start(ClaimDatabases volumes, String bindAddress) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), 0), 16);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "sandbox-volumes");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/volumes/", exchange -> handle(exchange, volumes, token));
            server.start();
            return new VolumeServer(server, token);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Could not start the sandbox's volume server", e);
        }
    }

    private static void handle(HttpExchange exchange, ClaimDatabases volumes, String token) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), ("Bearer " + token).getBytes(StandardCharsets.UTF_8))) {
                answer(exchange, 401, "{\"message\":\"The sandbox's volume token is required\"}");
                return;
            }
            Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !m.matches()) {
                answer(exchange, 404, "{\"message\":\"POST /volumes/<claim uid>\"}");
                return;
            }
            boolean asLearner = "as=learner".equals(exchange.getRequestURI().getRawQuery());
            try {
                var access = volumes.access(m.group(1).toLowerCase(), asLearner);
                answer(exchange, 200, "{\"url\":\"" + access.url() + "\",\"user\":\"" + access.user() + "\",\"options\":\"" + access.options() + "\"}");
            } catch (SQLException e) {
                boolean gone = e.getMessage() != null && e.getMessage().contains("was deleted");
                if (!gone) {
                    LOG.warnf("Volume %s could not be prepared: %s", m.group(1), e.getMessage());
                }
                answer(exchange, gone ? 410 : 503, "{\"message\":\"" + (gone ? "The volume was deleted, and its data with it" : "The volume's database is unavailable") + "\"}");
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    String url() {
        var address = server.getAddress();
        return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    String token() {
        return token;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
