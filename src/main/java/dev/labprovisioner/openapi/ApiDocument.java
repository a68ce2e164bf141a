package dev.labprovisioner.openapi;

import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Scopes;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules every operation shares, written into {@code /q/openapi} once instead of on each resource method: the
 * error answers any call can get (each a problem+json), the typed paging parameters, and that a view always carries
 * every one of its fields (null where the field says it may be). What is particular to an operation stays in its
 * annotations, next to the code.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ApiDocument implements OASFilter {

    /** Shared answers, in {@code components/responses}, by status. */
    private static final Map<String, String[]> COMMON = new LinkedHashMap<>();

    static {
        COMMON.put("400", new String[]{"BadRequest", "Bad input: a malformed body, a wrong type, a field or parameter out of range. Nothing was changed."});
        COMMON.put("401", new String[]{"Unauthorized", "No valid credential: send 'Authorization: Bearer <secret>'."});
        COMMON.put("403", new String[]{"Forbidden", "The credential's scopes do not allow this operation."});
        COMMON.put("404", new String[]{"NotFound", "No such resource (or not this credential's)."});
        COMMON.put("406", new String[]{"NotAcceptable", "The Accept header names no media type this operation produces."});
        COMMON.put("413", new String[]{"ContentTooLarge", "The body is larger than labs.limits.body-size (1 MB by default); it was not read."});
        COMMON.put("414", new String[]{"UriTooLong", "The URL is longer than labs.limits.url-length (4096 characters by default)."});
        COMMON.put("415", new String[]{"UnsupportedMediaType", "The request's Content-Type is not one this operation consumes."});
        COMMON.put("431", new String[]{"RequestHeaderFieldsTooLarge", "The headers together are larger than labs.limits.header-size (20 KB by default)."});
        COMMON.put("503", new String[]{"ServiceUnavailable", "A dependency (the database or the Kubernetes API) is unavailable just now; nothing was "
                + "changed. Retry after the seconds the Retry-After header gives, when it gives them."});
    }

    @Override
    public void filterOpenAPI(OpenAPI api) {
        Components components = api.getComponents();
        COMMON.forEach((status, nameAndText) -> components.addResponse(nameAndText[0], OASFactory.createAPIResponse()
                .description(nameAndText[1])
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref("Problem"))))));
        components.getResponses().get("ServiceUnavailable").addHeader("Retry-After", OASFactory.createHeader()
                .description("Seconds to wait before trying again (labs.database.retry-after while the database is away)")
                .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).minimum(BigDecimal.ONE)));
        components.getResponses().get("Unauthorized").addHeader("WWW-Authenticate", OASFactory.createHeader()
                .description("Bearer").schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)));
        everyFieldPresent(components.getSchemas());
        components.getSchemas().get("CreateApiClientRequest").getProperties().get("scopes").getItems()
                .enumeration(new ArrayList<>(new java.util.TreeSet<>(Scopes.ALL)));
        api.getPaths().getPathItems().forEach(this::shared);
    }

    private void shared(String path, PathItem item) {
        boolean learner = path.startsWith("/learn/");
        item.getOperations().forEach((method, op) -> {
            List<Parameter> parameters = new ArrayList<>(op.getParameters() == null ? List.of() : op.getParameters());
            if (item.getParameters() != null) {
                parameters.addAll(item.getParameters());
            }
            parameters.forEach(ApiDocument::typed);
            if (learner) {
                parameters.stream().filter(p -> p.getName().equals("token")).forEach(p -> p.description(
                        "The signed secret of the learner's link: the credential of every /learn operation. Keep it like a password."));
            }
            boolean hasBody = op.getRequestBody() != null;
            boolean hasPathParameter = path.contains("{");
            // Any request can be malformed: a path or query whose percent-encoding is not UTF-8, a bad parameter or body
            common(op, "400");
            if (!learner) {
                common(op, "401");
                common(op, "403");
            }
            if (hasPathParameter) {
                common(op, "404");
            }
            common(op, "406");
            if (hasBody) {
                common(op, "413");
                common(op, "415");
            }
            common(op, "414");
            common(op, "431");
            common(op, "503");
            if (learner) {
                // The link is the credential: no Authorization header (DESIGN §6)
                op.setSecurity(new ArrayList<>());
            }
        });
    }

    private static void common(Operation op, String status) {
        if (!op.getResponses().hasAPIResponse(status)) {
            op.getResponses().addAPIResponse(status, OASFactory.createAPIResponse().ref(COMMON.get(status)[0]));
        }
    }

    /** The paging and state parameters of every list, typed and bounded as {@link Paging} checks them. */
    private static void typed(Parameter p) {
        if (p.getIn() != Parameter.In.QUERY) {
            return;
        }
        switch (p.getName()) {
            case "page" -> p.description("The page, from 0").schema(OASFactory.createSchema()
                    .addType(Schema.SchemaType.INTEGER).format("int32").minimum(BigDecimal.ZERO).defaultValue(0));
            case "size" -> p.description("Items a page, 1 to " + Paging.MAX_SIZE).schema(OASFactory.createSchema()
                    .addType(Schema.SchemaType.INTEGER).format("int32").minimum(BigDecimal.ONE)
                    .maximum(BigDecimal.valueOf(Paging.MAX_SIZE)).defaultValue(20));
            case "state" -> p.description("Only labs in this state").schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                    .enumeration(new ArrayList<>(Arrays.stream(LabState.values()).map(Enum::name).toList())));
            case "learnerId", "courseId" -> p.schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                    .maxLength(LabService.MAX_ID_LENGTH).pattern("^" + LabService.ID_PATTERN + "$"));
            default -> {
            }
        }
    }

    /**
     * The JSON writer puts every field of a view in every answer, null or not: a client may rely on each being
     * there. So each object schema of an answer requires all its properties; requests keep what they declare.
     */
    private static void everyFieldPresent(Map<String, Schema> schemas) {
        schemas.forEach((name, schema) -> {
            if (!name.endsWith("Request") && schema.getProperties() != null && schema.getRequired() == null) {
                schema.setRequired(new ArrayList<>(schema.getProperties().keySet()));
            }
        });
    }
}
