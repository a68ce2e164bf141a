package dev.labprovisioner.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The service's own OpenAPI document ({@code /q/openapi}) as a judge: a REST Assured filter that checks every answer
 * against it (the operation exists, its status is documented, the media type is one the document names, and a JSON
 * body validates against the schema), and remembers which operations were driven.
 *
 * <p>Object schemas are checked strictly (no property the document does not name), so a field added to a view
 * without the document knowing fails here too.
 */
public final class OpenApiContract implements Filter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private final JsonNode document;
    private final ObjectNode components;
    private final List<Operation> operations = new ArrayList<>();
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Set<String>> driven = new ConcurrentHashMap<>();
    private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());

    private record Operation(String method, String template, Pattern pattern, JsonNode node) {
        String key() {
            return method.toUpperCase(Locale.ROOT) + " " + template;
        }
    }

    public OpenApiContract(String openApiJson) {
        try {
            this.document = JSON.readTree(openApiJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.components = ((ObjectNode) document.path("components")).deepCopy();
        strict(components);
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                String regex = Pattern.quote(path.getKey()).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
                operations.add(new Operation(op.getKey(), path.getKey(), Pattern.compile(regex), op.getValue()));
            }
        }));
        // a literal segment wins over a parameter: /labs/{id} must not take /labs/stats if both existed
        operations.sort(Comparator.comparingLong(o -> o.template().chars().filter(c -> c == '{').count()));
    }

    public JsonNode document() {
        return document;
    }

    /** Every operation the document names, as "METHOD /path". */
    public Set<String> operations() {
        var all = new TreeSet<String>();
        operations.forEach(o -> all.add(o.key()));
        return all;
    }

    /** The operations answers were checked for, with the statuses seen. */
    public Map<String, Set<String>> driven() {
        return driven;
    }

    /** Every answer so far that the document does not describe, each with its reasons and body. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec, FilterContext ctx) {
        Response response = ctx.next(request, responseSpec);
        String path = URI.create(request.getURI()).getRawPath();
        if (path.startsWith("/q/")) {
            return response; // health, metrics and the document itself are not part of the API
        }
        var problems = check(request.getMethod(), path, response);
        if (!problems.isEmpty()) {
            violations.add(request.getMethod() + " " + path + " answered " + response.statusCode() + " "
                    + response.contentType() + ", which /q/openapi does not describe:\n    - " + String.join("\n    - ", problems)
                    + "\n    body: " + abbreviate(response.asString()));
        }
        return response;
    }

    List<String> check(String method, String path, Response response) {
        var problems = new ArrayList<String>();
        Operation op = operations.stream()
                .filter(o -> o.method().equalsIgnoreCase(method) && o.pattern().matcher(path).matches())
                .findFirst().orElse(null);
        if (op == null) {
            problems.add("no operation " + method + " " + path);
            return problems;
        }
        String status = Integer.toString(response.statusCode());
        driven.computeIfAbsent(op.key(), k -> new TreeSet<>()).add(status);
        JsonNode responses = op.node().path("responses");
        JsonNode documented = responses.has(status) ? responses.get(status)
                : responses.has(status.charAt(0) + "XX") ? responses.get(status.charAt(0) + "XX")
                : responses.path("default");
        if (documented.isMissingNode()) {
            problems.add("status " + status + " is not documented (documented: " + names(responses.fieldNames()) + ")");
            return problems;
        }
        documented = resolve(documented);
        String body = response.asString();
        JsonNode content = documented.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (!body.isEmpty()) {
                problems.add("a body is sent but the document describes none for " + status);
            }
            return problems;
        }
        String mediaType = response.contentType() == null ? "" : response.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        JsonNode media = content.path(mediaType);
        if (media.isMissingNode()) {
            problems.add("media type '" + mediaType + "' is not documented for " + status + " (documented: " + names(content.fieldNames()) + ")");
            return problems;
        }
        if ((mediaType.equals("application/json") || mediaType.endsWith("+json")) && media.has("schema")) {
            problems.addAll(validate(media.get("schema"), body));
        }
        return problems;
    }

    private List<String> validate(JsonNode schemaNode, String body) {
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (IOException e) {
            return List.of("the body is not JSON: " + e.getMessage());
        }
        ObjectNode root = schemaNode.deepCopy();
        if (root.has("$ref")) {
            root = (ObjectNode) JSON.createObjectNode().set("allOf", JSON.createArrayNode().add(root));
        }
        strict(root);
        root.set("components", components);   // so that "#/components/schemas/X" resolves inside this one resource
        Schema schema = schemas.getSchema(SchemaLocation.of("urn:lab-provisioner:openapi"), root);
        List<Error> errors = schema.validate(instance, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    private JsonNode resolve(JsonNode node) {
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            return resolve(document.at(ref.substring(1)));
        }
        return node;
    }

    /** Every object schema with named properties refuses others: the document must name every field sent. */
    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.fields().forEachRemaining(f -> strict(f.getValue()));
        } else if (node != null && node.isArray()) {
            node.forEach(OpenApiContract::strict);
        }
    }

    private static String names(Iterator<String> it) {
        var all = new ArrayList<String>();
        it.forEachRemaining(all::add);
        return String.join(", ", all);
    }

    private static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }
}
