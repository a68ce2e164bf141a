package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.rest.ExtendRequest;
import dev.labprovisioner.lab.rest.LabView;
import dev.labprovisioner.learner.LearnerLinks;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;

/** An instructor's view of and actions on a whole course; the rules live in {@link AdminService}. */
@Path("/api/v1/admin/courses/{courseId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: courses", description = "An instructor's view of a whole course and actions on all of its labs (admin credential).")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "400", description = "Bad course id or body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class AdminCourseResource {

    private static final MediaType CSV = MediaType.valueOf(CourseProgressCsv.MEDIA_TYPE);

    private final AdminService admin;
    private final LearnerLinks links;
    private final SecurityIdentity identity;

    AdminCourseResource(AdminService admin, LearnerLinks links, SecurityIdentity identity) {
        this.admin = admin;
        this.links = links;
        this.identity = identity;
    }

    @GET
    @Path("progress")
    @Produces({MediaType.APPLICATION_JSON, CourseProgressCsv.MEDIA_TYPE})
    @Operation(operationId = "getCourseProgress", summary = "The course's progress report",
            description = "One row per learner: their latest lab of the template in this course (live or not), its state, score and each "
                    + "checkpoint's status. JSON by default; with 'Accept: text/csv' a CSV (header learnerId,labId,state,<checkpoint ids>,"
                    + "score,maxScore,completed) ready for a spreadsheet. Reading it validates nothing.")
    @APIResponse(responseCode = "200", description = "The report", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CourseProgressView.class)),
            @Content(mediaType = CourseProgressCsv.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "404", description = "The course has no labs (and no template was named)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The course's lab template is no longer offered", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response progress(@PathParam("courseId") String courseId,
                             @Parameter(description = "The template to report on; needed only when the course has labs of several")
                             @QueryParam("template") String template,
                             @Context HttpHeaders headers) {
        var report = CourseProgressView.of(admin.courseProgress(courseId, template));
        if (wantsCsv(headers)) {
            return Response.ok(CourseProgressCsv.of(report), CSV.withCharset(StandardCharsets.UTF_8.name()))
                    .header("Content-Disposition", "attachment; filename=\"" + courseId + "-progress.csv\"").build();
        }
        return Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @POST
    @Path("labs")
    @Operation(operationId = "createCourseLabs", summary = "Labs for a roster",
            description = "A lab for every learner of the roster in this course, owned by this credential. Idempotent: a learner who already "
                    + "has a live lab of the template in the course (from this credential) keeps it and counts as existing, so a second "
                    + "call creates nothing. Every learner id is checked first; one bad id (or template, or TTL) creates nothing. "
                    + "At most " + AdminService.MAX_ROSTER + " learners per call. Audited.")
    @APIResponse(responseCode = "200", description = "The roster's labs, created or already there", content = @Content(schema = @Schema(implementation = BulkCreateView.class)))
    public BulkCreateView createForRoster(@PathParam("courseId") String courseId, BulkCreateRequest request) {
        var result = admin.createForRoster(Caller.of(identity), courseId,
                request == null ? null : new AdminService.Roster(request.template(), request.learnerIds(), request.ttlMinutes()));
        return new BulkCreateView(result.created(), result.existing(), result.labs().stream().map(c -> view(c.lab())).toList());
    }

    @POST
    @Path("extend")
    @Operation(operationId = "extendCourseLabs", summary = "More time for every live lab of the course",
            description = "Adds minutes to each live lab's expiresAt (from now if already past), as a single extend would. A lab that would "
                    + "pass its maximum lifetime is extended to that limit and listed in 'limited'; the others are not held back by it. Audited.")
    @APIResponse(responseCode = "200", description = "The labs extended, and those limited by their maximum lifetime", content = @Content(schema = @Schema(implementation = CourseExtensionView.class)))
    public CourseExtensionView extend(@PathParam("courseId") String courseId, ExtendRequest request) {
        var result = admin.extendCourse(Caller.of(identity), courseId, request == null ? null : request.minutes());
        return new CourseExtensionView(result.extended().size(), result.extended().stream().map(this::view).toList(),
                result.limited().stream().map(l -> new LimitedLabView(l.lab().id, l.lab().learnerId, l.asked(), l.lab().expiresAt)).toList());
    }

    private LabView view(Lab lab) {
        return LabView.of(lab, links.url(lab.id));
    }

    /** CSV only when the client prefers it to JSON; a bare or wildcard Accept gets JSON. */
    private static boolean wantsCsv(HttpHeaders headers) {
        for (MediaType accepted : headers.getAcceptableMediaTypes()) {
            if (accepted.isWildcardType()) {
                return false;
            }
            if (accepted.isCompatible(CSV)) {
                return true;
            }
            if (accepted.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return false;
            }
        }
        return false;
    }
}
