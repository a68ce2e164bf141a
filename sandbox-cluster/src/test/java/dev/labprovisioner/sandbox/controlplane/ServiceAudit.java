package dev.labprovisioner.sandbox.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The API server's audit log ({@code logs/audit.log}, one JSON event per request) as the tests read it. */
public final class ServiceAudit {

    private ServiceAudit() {
    }

    public static List<JsonNode> events(Path auditLog) {
        ObjectMapper json = new ObjectMapper();
        try (var lines = Files.lines(auditLog)) {
            return lines.map(l -> {
                try {
                    return json.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the API server refused {@code user} (any 4xx or 5xx but 404 and 409, which a level-triggered client meets
     * by design), as "code verb URI", leaving out a 403 that the same request
     * got past when it was tried again: the RBAC authorizer's cache catching up with a RoleBinding created a moment
     * before, which the service retries. A permission the service lacks, or an object the API server finds invalid, stays.
     */
    public static List<String> refused(Path auditLog, String user) {
        List<JsonNode> mine = events(auditLog).stream().filter(e -> user.equals(e.path("user").path("username").asText())).toList();
        Set<String> laterGranted = new HashSet<>();
        List<String> refused = new ArrayList<>();
        for (int i = mine.size() - 1; i >= 0; i--) {
            JsonNode e = mine.get(i);
            int code = e.path("responseStatus").path("code").asInt();
            String request = e.path("verb").asText() + " " + e.path("requestURI").asText();
            if (code < 400) {
                laterGranted.add(request);
            } else if (code != 404 && code != 409 && !(code == 403 && laterGranted.contains(request))) {
                refused.add(code + " " + request);
            }
        }
        return refused;
    }
}
