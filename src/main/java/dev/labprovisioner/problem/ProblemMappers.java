package dev.labprovisioner.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseOutages;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/** Every error the API returns goes through here, so that it has one shape. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    public static final String DATABASE_UNAVAILABLE = "The service's database cannot be reached just now; try again in %d seconds.";

    /** Seconds a caller is told to wait ({@code Retry-After}) while the service's database cannot be reached. */
    private final long retryAfterSeconds;

    ProblemMappers(LabsConfig config) {
        this.retryAfterSeconds = Math.max(1, config.database().retryAfter().toSeconds());
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return e.problem().toResponse();
    }

    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthorized(RuntimeException e) {
        if (DatabaseOutages.isOutage(e)) {
            // The credential could not be looked up: it is not known to be wrong, so no 401 that would tell the LMS so.
            return databaseUnavailable(e);
        }
        return Problem.of(Response.Status.UNAUTHORIZED,
                "A valid credential is required: send 'Authorization: Bearer <secret>'.").toResponse();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(Response.Status.FORBIDDEN, "This credential's scopes do not allow this operation.").toResponse();
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        String detail;
        if (e instanceof MismatchedInputException mie && !mie.getPath().isEmpty() && mie.getPath().get(0).getFieldName() != null) {
            detail = "Field '" + mie.getPath().get(0).getFieldName() + "' has a value of the wrong type.";
        } else if (e instanceof MismatchedInputException) {
            detail = "The request body has the wrong type: a JSON object is expected.";
        } else if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
            // "Duplicate field 'learnerId'": which one wins is not for the server to guess
            detail = "The request body gives a field more than once: " + e.getOriginalMessage().substring("Duplicate field ".length()) + ".";
        } else {
            detail = "The request body is not valid JSON.";
        }
        return Problem.of(Response.Status.BAD_REQUEST, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        String detail = e.getConstraintViolations().stream()
                .map(v -> last(v.getPropertyPath().toString()) + " " + v.getMessage())
                .sorted().collect(Collectors.joining("; "));
        return Problem.of(Response.Status.BAD_REQUEST, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException json) {
                return malformedJson(json);
            }
        }
        int status = e.getResponse().getStatus();
        if (status >= 500 && DatabaseOutages.isOutage(e)) {
            return databaseUnavailable(e);
        }
        if (status >= 500) {
            LOG.error("Request failed", e);
        }
        var s = Response.Status.fromStatusCode(status);
        String title = s == null ? "Error" : s.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed on this resource.";
            case 406 -> "This resource cannot produce the media type asked for in Accept.";
            case 415 -> "This media type is not supported here: send application/json.";
            default -> e.getMessage();
        };
        return Problem.of(status, title, detail).toResponse();
    }

    /** The cluster failed the request (after the retries of {@code KubernetesCalls}): the caller may try again. */
    @ServerExceptionMapper
    public Response kubernetes(io.fabric8.kubernetes.client.KubernetesClientException e) {
        LOG.errorf("The Kubernetes API failed a request: %d %s", e.getCode(), e.getMessage());
        return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "The Kubernetes API did not do what was asked just now; try again in a moment.")
                .toResponse();
    }

    /**
     * The service's database went away (or had no connection to give within the acquisition timeout): the caller
     * may try again. Not logged per request: {@code DatabaseAvailability} logs the outage once.
     */
    private Response databaseUnavailable(Throwable e) {
        LOG.debugf("Answered 503, the database is unavailable: %s", e.getMessage());
        return Problem.serviceUnavailable(DATABASE_UNAVAILABLE.formatted(retryAfterSeconds), retryAfterSeconds);
    }

    @ServerExceptionMapper
    public Response sql(java.sql.SQLException e) {
        if (DatabaseOutages.isOutage(e)) {
            return databaseUnavailable(e);
        }
        LOG.error("Unexpected database error while serving a request", e);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "An unexpected error occurred; it has been logged.").toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (DatabaseOutages.isOutage(e)) {
            return databaseUnavailable(e);
        }
        LOG.error("Unexpected error while serving a request", e);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "An unexpected error occurred; it has been logged.").toResponse();
    }

    private static String last(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
