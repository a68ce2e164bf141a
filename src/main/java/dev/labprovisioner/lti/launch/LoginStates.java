package dev.labprovisioner.lti.launch;

import dev.labprovisioner.config.LabsConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The OIDC login's state and nonce, server-side: issued by the login, taken (deleted) by the launch, so each is good
 * once and for {@code labs.lti.login-timeout}. The launch's id_token must carry the nonce issued with its state; the
 * nonce is then recorded as used (a replayed token is refused even with another state). No cookie is involved:
 * LMSs show tools in iframes, where third-party cookies are lost.
 */
@ApplicationScoped
public class LoginStates {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final AgroalDataSource dataSource;
    private final LabsConfig.Lti settings;

    LoginStates(AgroalDataSource dataSource, LabsConfig config) {
        this.dataSource = dataSource;
        this.settings = config.lti();
    }

    public record Issued(String state, String nonce) {
    }

    public record Taken(UUID registrationId, String nonce) {
    }

    public Issued issue(UUID registrationId) {
        var issued = new Issued(random(), random());
        Instant now = Instant.now();
        update("INSERT INTO lti_login_states (state, nonce, registration_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                issued.state(), issued.nonce(), registrationId, Timestamp.from(now), Timestamp.from(now.plus(settings.loginTimeout())));
        return issued;
    }

    /** The state's registration and nonce, if it was issued, not used yet and not expired; it is used by this call. */
    public Optional<Taken> take(String state) {
        if (state == null || state.isEmpty() || state.length() > 64) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM lti_login_states WHERE state = ? RETURNING registration_id, nonce, expires_at")) {
            s.setString(1, state);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || r.getTimestamp(3).toInstant().isBefore(Instant.now())) {
                    return Optional.empty();
                }
                return Optional.of(new Taken(r.getObject(1, UUID.class), r.getString(2)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the LTI login state", e);
        }
    }

    /** Records an accepted id_token's nonce until {@code until}; false if it was already used (a replay). */
    public boolean useNonce(UUID registrationId, String nonce, Instant until) {
        return update("INSERT INTO lti_used_nonces (registration_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                registrationId, nonce, Timestamp.from(until)) == 1;
    }

    @Scheduled(every = "5m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        Timestamp now = Timestamp.from(Instant.now());
        update("DELETE FROM lti_login_states WHERE expires_at < ?", now);
        update("DELETE FROM lti_used_nonces WHERE expires_at < ?", now);
        update("DELETE FROM lti_deep_link_requests WHERE expires_at < ?", now);
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private int update(String sql, Object... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write the LTI login state", e);
        }
    }
}
