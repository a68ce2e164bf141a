package dev.labprovisioner.learner;

import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.PermitAll;
import dev.labprovisioner.checkpoint.CheckpointService;
import dev.labprovisioner.checkpoint.rest.CheckpointView;
import dev.labprovisioner.checkpoint.rest.ProgressView;
import dev.labprovisioner.sandboxclient.SandboxSql;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.time.Instant;

/** What a learner reaches with their link, and nothing else: the link is the credential. */
@Path("/learn/{token}")
@PermitAll
@Tag(name = "Learner", description = "What the learner's link opens. The link is the credential: the {token} path segment is a signed secret, so these operations take no Authorization header. Treat the link like a password.")
@APIResponse(responseCode = "404", description = "Not a valid learner link", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "410", description = "The lab expired or was deleted", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class LearnerResource {

    private final LearnerLinks links;
    private final LearnerKubeconfigs kubeconfigs;
    private final CheckpointService checkpoints;
    private final SandboxSql sql;
    private final LearnerPages pages;

    LearnerResource(LearnerLinks links, LearnerKubeconfigs kubeconfigs, CheckpointService checkpoints, SandboxSql sql, LearnerPages pages) {
        this.links = links;
        this.kubeconfigs = kubeconfigs;
        this.checkpoints = checkpoints;
        this.sql = sql;
        this.pages = pages;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance page(LearnerPageView view);

        static native TemplateInstance ended(String title, String detail);
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "getLearnerPage", summary = "The learner's lab page", description = "Server-rendered and readable without JavaScript: the steps, how to "
            + "connect, each checkpoint with a Check button, live progress, time left and (sandbox) the SQL box. A link that is not valid "
            + "or has ended gets status 404 or 410: an HTML page when the client accepts text/html, problem+json otherwise.")
    @APIResponse(responseCode = "200", description = "An HTML page", content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "Not a valid learner link", content = {
            @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))})
    @APIResponse(responseCode = "410", description = "The lab expired or was deleted", content = {
            @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))})
    public Response page(@PathParam("token") String token, @HeaderParam("Accept") String accept) {
        try {
            // Cache-Control, Content-Security-Policy and the rest: application.properties, for every /learn/ answer.
            return Response.ok(Templates.page(pages.page(lab(token), token))).type(MediaType.TEXT_HTML_TYPE).build();
        } catch (ProblemException e) {
            // A browser gets a page it can show; any other client the API's problem+json.
            if (accept == null || !accept.contains(MediaType.TEXT_HTML)) {
                throw e;
            }
            var problem = e.problem();
            String title = problem.status() == 410 ? "This lab has ended" : "This lab link is not valid";
            return Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE).entity(Templates.ended(title, problem.detail())).build();
        }
    }

    @POST
    @Path("checkpoints/{checkpointId}/check")
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "checkCheckpointFromPage", summary = "The page's Check button without JavaScript", description = "Validates like POST .../validate, then sends the browser "
            + "back to the checkpoint on the page (303).")
    @APIResponse(responseCode = "303", description = "Back to the page")
    public Response check(@PathParam("token") String token, @PathParam("checkpointId") String checkpointId,
                          @QueryParam("act") @DefaultValue("false") boolean act) {
        Lab lab = lab(token);
        try {
            checkpoints.validate(lab, checkpointId, act);
        } catch (ProblemException e) {
            // The page shows the checkpoint as it stands; a lab that is not READY says so at the top.
        }
        return Response.seeOther(URI.create("/learn/" + token + "#cp-"
                + java.net.URLEncoder.encode(checkpointId, java.nio.charset.StandardCharsets.UTF_8))).build();
    }

    @GET
    @Path("kubeconfig")
    @Produces("application/yaml")
    @Operation(operationId = "getLearnerKubeconfig", summary = "A kubeconfig for the lab's namespace only", description = "Its token lives as long as the lab may "
            + "(a kubeconfig downloaded before an extend keeps working), and dies with the lab.")
    @APIResponse(responseCode = "200", description = "A kubeconfig (YAML)", content = @Content(mediaType = "application/yaml", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "409", description = "The lab is not ready yet", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response kubeconfig(@PathParam("token") String token) {
        Lab lab = lab(token);
        if (lab.state != LabState.READY) {
            throw ProblemException.conflict("Your lab is " + lab.state + "; the kubeconfig is available once it is READY.");
        }
        return Response.ok(kubeconfigs.kubeconfig(lab))
                .header("Content-Disposition", "attachment; filename=\"kubeconfig-" + lab.namespace + ".yaml\"").build();
    }

    @GET
    @Path("progress")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getLearnerProgress", summary = "This lab's progress", description = "Like the LMS's GET /api/v1/labs/{id}/progress, for this lab only.")
    @APIResponse(responseCode = "200", description = "The progress", content = @Content(schema = @Schema(implementation = ProgressView.class)))
    public ProgressView progress(@PathParam("token") String token) {
        return checkpoints.progress(lab(token));
    }

    @POST
    @Path("checkpoints/{checkpointId}/validate")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "validateLearnerCheckpoint", summary = "Check one checkpoint of this lab", description = "Like the LMS's call, for this lab only. act=true lets a checkpoint "
            + "with an 'acts' text do what it says first (the service deletes pod postgres-0 and waits for it to come back); never deletes data.")
    @APIResponse(responseCode = "200", description = "The checkpoint's result", content = @Content(schema = @Schema(implementation = CheckpointView.class)))
    @APIResponse(responseCode = "400", description = "act=true for a checkpoint that cannot act", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The lab is not READY", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CheckpointView validate(@PathParam("token") String token, @PathParam("checkpointId") String checkpointId,
                                   @QueryParam("act") @DefaultValue("false") boolean act) {
        return checkpoints.validate(lab(token), checkpointId, act);
    }

    @POST
    @Path("pods/{pod}/sql")
    @Consumes(MediaType.TEXT_PLAIN)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "runLearnerSql", summary = "Sandbox only: run SQL in a pod's database", description = "What kubectl exec <pod> -- psql does on a real cluster: runs "
            + "the body (one or more statements) on the database behind that pod's volume and returns each statement's rows or update count. "
            + "Answers 404 in real mode.")
    @APIResponse(responseCode = "200", description = "The results", content = @Content(schema = @Schema(implementation = SandboxSql.SqlResult.class)))
    @APIResponse(responseCode = "400", description = "No SQL, or the database rejected it (the detail is its message)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The lab or the pod is not Ready", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SandboxSql.SqlResult sql(@PathParam("token") String token, @PathParam("pod") String pod, String body) {
        return sql.run(lab(token), pod, body);
    }

    private Lab lab(String token) {
        var id = links.verify(token).orElseThrow(() -> ProblemException.notFound("This lab link is not valid."));
        Lab lab = QuarkusTransaction.joiningExisting().call(() -> Lab.<Lab>findById(id));
        if (lab == null) {
            throw ProblemException.notFound("This lab link is not valid.");
        }
        if (lab.state == LabState.TEARING_DOWN || lab.state == LabState.DELETED || lab.expiresAt.isBefore(Instant.now())) {
            throw new ProblemException(Response.Status.GONE, "This lab has ended (expired or deleted). Ask your course for a new one.");
        }
        return lab;
    }
}
