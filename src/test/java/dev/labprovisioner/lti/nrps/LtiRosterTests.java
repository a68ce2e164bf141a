package dev.labprovisioner.lti.nrps;

import dev.labprovisioner.Api;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lti.LtiClaims;
import dev.labprovisioner.lti.launch.LtiLaunch;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.labprovisioner.lti.ags.FakeAgsPlatform;

import static dev.labprovisioner.lti.ags.FakeAgsPlatform.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Names and Role Provisioning (issue 11, items 6 and 7): an admin asks for the labs of an LTI course; the roster comes
 * from the platform's memberships (two pages here), and the labs are the ones the learners' own launches then open. The
 * instructor's launch (or deep-linking request) alone tells where the roster is, and a roster-made lab's score reaches
 * the gradebook before its learner ever launches.
 */
@QuarkusTest
class LtiRosterTests {

    private static final String INSTRUCTOR = LtiClaims.ROLE_INSTRUCTOR;
    private static final String LEARNER = LtiClaims.ROLE_LEARNER;
    private static final List<String> AGS_SCOPES = List.of(FakeAgsPlatform.LINEITEM_SCOPE, FakeAgsPlatform.SCORE_SCOPE);
    private static final Duration ARRIVES = Duration.ofSeconds(20);
    private static final String TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant";

    private static String path(String registration, String context) {
        return "/api/v1/admin/lti/platforms/" + registration + "/contexts/" + context + "/roster-labs";
    }

    private static List<Lab> labsOf(String course) {
        return QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>list("courseId = ?1 order by learnerId", course));
    }

    private static List<LtiLaunch> linksOf(String course) {
        return QuarkusTransaction.requiringNew().call(() -> LtiLaunch.<LtiLaunch>list("contextId = ?1 order by sub", course));
    }

    @Test
    void theInstructorsLaunchAloneLetsTheRosterMakeTheLearnersLabs() {
        try (var platform = new FakeAgsPlatform()) {
            String registration = platform.register("postgres-statefulset");
            String course = Api.unique("course");
            String teacher = "teacher-" + UUID.randomUUID();
            String ann = "ann-" + UUID.randomUUID();
            String bob = "bob-" + UUID.randomUUID();
            // The instructor opens the tool first, as in a real course: the progress page, and no lab.
            platform.lms.login(platform.lms.resourceLink(teacher, course, INSTRUCTOR)).post().then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("No learner has opened this lab yet"));
            assertThat(labsOf(course)).isEmpty();
            assertThat(linksOf(course)).isEmpty();
            platform.members(course, List.of(member(teacher, "Active", INSTRUCTOR), member(ann, "Active", LEARNER)),
                    List.of(member(bob, "Active", LEARNER)));

            JsonPath made = Api.asAdmin().body(Map.of()).post(path(registration, course)).then().statusCode(200).extract().jsonPath();
            assertThat(made.getInt("pages")).isEqualTo(2);
            assertThat(made.getInt("members")).isEqualTo(3);
            assertThat(made.getString("template")).isEqualTo("postgres-statefulset");
            assertThat(made.getList("labs.learnerId", String.class)).containsExactly(ann, bob);
            assertThat(made.getInt("created")).isEqualTo(2);
            assertThat(platform.requests("/contexts/" + course + "/memberships")).hasSize(2);
            assertThat(labsOf(course)).extracting(l -> l.learnerId).containsExactlyInAnyOrder(ann, bob);
            assertThat(labsOf(course)).extracting(l -> l.owner).containsOnly("lti:" + registration);
        }
    }

    @Test
    void aDeepLinkingRequestAloneAlsoTellsWhereTheRosterIs() {
        try (var platform = new FakeAgsPlatform()) {
            String registration = platform.register("postgres-statefulset");
            String course = Api.unique("course");
            String ann = "ann-" + UUID.randomUUID();
            platform.lms.login(platform.lms.deepLinking("teacher-" + UUID.randomUUID(), course, platform.lms.url("/return"), null))
                    .post("/lti/deep-link").then().statusCode(200);
            platform.members(course, List.of(member(ann, "Active", LEARNER)));
            Api.asAdmin().post(path(registration, course)).then().statusCode(200)
                    .body("labs.learnerId", org.hamcrest.Matchers.contains(ann))
                    .body("template", org.hamcrest.Matchers.equalTo("postgres-statefulset"));
        }
    }

    @Test
    void aRosterLabsPassedCheckpointReachesTheGradebookBeforeTheLearnerEverLaunches() {
        try (var platform = new FakeAgsPlatform()) {
            String registration = platform.register("postgres-statefulset");
            String course = Api.unique("course");
            String ann = "ann-" + UUID.randomUUID();
            String bob = "bob-" + UUID.randomUUID();
            // The instructor's launch gives the context's line items container (no line item of its own) and the score scope.
            Map<String, Object> teacher = platform.launch("teacher-" + UUID.randomUUID(), course, null, platform.lineitemsUrl(course), AGS_SCOPES);
            teacher.put(LtiClaims.ROLES, List.of(INSTRUCTOR));
            platform.lms.login(teacher).post().then().statusCode(200);
            platform.members(course, List.of(member(ann, "Active", LEARNER)), List.of(member(bob, "Active", LEARNER)));

            JsonPath made = Api.asAdmin().post(path(registration, course)).then().statusCode(200).extract().jsonPath();
            assertThat(made.getList("labs.learnerId", String.class)).containsExactly(ann, bob);
            UUID annLab = UUID.fromString(made.getString("labs[0].id"));
            // Again: the same links, not new ones.
            Api.asAdmin().post(path(registration, course)).then().statusCode(200).body("created", org.hamcrest.Matchers.equalTo(0));
            assertThat(linksOf(course)).extracting(l -> l.sub).containsExactly(ann, bob);

            Api.awaitState(Api.ADMIN_TOKEN, annLab.toString(), "READY");
            await().atMost(ARRIVES).pollInterval(Duration.ofMillis(200)).until(() -> "PASSED".equals(
                    Api.asAdmin().post("/api/v1/labs/" + annLab + "/checkpoints/stable-identity/validate").then().statusCode(200)
                            .extract().path("status")));

            // Ann's score went to the line item looked for by resource_id = the template, not found, and so made, once.
            // (A check that ran before her pods were seen sends a Started score first; the pass's is the last.)
            await().atMost(ARRIVES).until(() -> platform.accepted().stream().anyMatch(p -> p.score().path("scoreGiven").asInt() == 10));
            assertThat(platform.created()).singleElement().satisfies(item -> {
                assertThat(item.resourceId()).isEqualTo("postgres-statefulset");
                assertThat(item.scoreMaximum()).isEqualTo(100);
            });
            FakeAgsPlatform.ScorePost posted = platform.accepted().get(platform.accepted().size() - 1);
            assertThat(posted.contentType()).isEqualTo("application/vnd.ims.lis.v1.score+json");
            assertThat(posted.score().path("userId").asText()).isEqualTo(ann);
            assertThat(posted.score().path("scoreGiven").asInt()).isEqualTo(10);
            assertThat(posted.score().path("gradingProgress").asText()).isEqualTo("FullyGraded");
            assertThat(platform.accepted()).allSatisfy(p -> {
                assertThat(p.score().path("userId").asText()).isEqualTo(ann); // Bob checked nothing: nothing of his
                assertThat(platform.lineitemsUrl(course) + "/" + p.lineitem()).isEqualTo(platform.created().get(0).id());
            });

            // Ann's own launch later opens the same lab and completes the same link with what it says (its line item).
            String lineitem = platform.lineitemsUrl(course) + "/7";
            platform.lms.login(platform.launch(ann, course, lineitem, platform.lineitemsUrl(course), AGS_SCOPES)).post().then().statusCode(303);
            List<LtiLaunch> links = linksOf(course);
            assertThat(links).hasSize(2);
            assertThat(links.get(0).labId).isEqualTo(annLab);
            assertThat(links.get(0).agsLineitem).isEqualTo(lineitem);
            assertThat(links.get(0).resourceLinkId).isEqualTo("link-" + course);
            assertThat(labsOf(course)).hasSize(2);
        }
    }

    @Test
    void twoPagesOfMembersGiveEveryActiveLearnerALabOnceAndTheirLaunchOpensIt() {
        try (var platform = new FakeAgsPlatform()) {
            String registration = platform.register("postgres-statefulset");
            String course = Api.unique("course");
            String ann = "ann-" + UUID.randomUUID();
            String bob = "bob-" + UUID.randomUUID();
            // Ann launched once: her launch recorded the course's memberships URL (and opened her lab).
            platform.lms.login(platform.lms.resourceLink(ann, course)).post().then().statusCode(303);
            platform.members(course,
                    List.of(member(ann, "Active", LEARNER), member("teacher-1", "Active", INSTRUCTOR)),
                    List.of(member(bob, null, "Learner"), member("gone-1", "Inactive", LEARNER),
                            member("ta-1", "Active", LEARNER, TEACHING_ASSISTANT), member("bad id!", "Active", LEARNER)));

            JsonPath first = Api.asAdmin().body(Map.of()).post(path(registration, course)).then().statusCode(200).extract().jsonPath();
            assertThat(first.getInt("members")).isEqualTo(6);
            assertThat(first.getInt("pages")).isEqualTo(2);
            assertThat(first.getString("template")).isEqualTo("postgres-statefulset");
            assertThat(first.getList("labs.learnerId", String.class)).containsExactly(ann, bob);
            assertThat(first.getList("labs.courseId", String.class)).containsOnly(course);
            assertThat(first.getInt("created")).isEqualTo(1);  // Bob's
            assertThat(first.getInt("existing")).isEqualTo(1); // Ann's, from her launch
            assertThat(first.getList("skipped.userId", String.class)).containsExactly("bad id!");
            assertThat(first.getString("skipped[0].reason")).contains("letters, digits");
            // It read every page with the memberships media type, and a token for the memberships scope.
            assertThat(platform.requests("/contexts/" + course + "/memberships")).hasSize(2)
                    .allSatisfy(r -> assertThat(r.header("Accept")).isEqualTo("application/vnd.ims.lti-nrps.v2.membershipcontainer+json"));
            assertThat(platform.tokenRequests()).extracting(t -> t.form().get("scope")).containsExactly(FakeAgsPlatform.MEMBERSHIPS_SCOPE);

            List<Lab> labs = labsOf(course);
            assertThat(labs).extracting(l -> l.learnerId).containsExactlyInAnyOrder(ann, bob);
            assertThat(labs).extracting(l -> l.owner).containsOnly("lti:" + registration);

            // Again: nothing new.
            JsonPath second = Api.asAdmin().post(path(registration, course)).then().statusCode(200).extract().jsonPath();
            assertThat(second.getInt("created")).isZero();
            assertThat(second.getInt("existing")).isEqualTo(2);
            assertThat(second.getList("labs.id", String.class)).isEqualTo(first.getList("labs.id", String.class));
            assertThat(labsOf(course)).hasSize(2);

            // Bob's own launch opens the lab the roster made for him.
            String bobsPage = first.getString("labs[1].learnerUrl");
            String location = platform.lms.login(platform.lms.resourceLink(bob, course)).post().then().statusCode(303).extract().header("Location");
            assertThat(location).isEqualTo(bobsPage);
            assertThat(labsOf(course)).hasSize(2);

            // The audit says who asked, for whom.
            Api.asAdmin().queryParam("action", "LABS_BULK_CREATE").queryParam("target", course).get("/api/v1/admin/audit").then().statusCode(200)
                    .body("items[0].detail", org.hamcrest.Matchers.containsString("for LTI platform"));
        }
    }

    @Test
    void withoutARecordedLaunchOrWithAFailingPlatformItIsAProblemAndMakesNothing() {
        try (var platform = new FakeAgsPlatform()) {
            String registration = platform.register("postgres-statefulset");
            String course = Api.unique("course");

            // No launch from this course yet: nobody has told us where its roster is.
            Api.asAdmin().post(path(registration, course)).then().statusCode(409).contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("launch"));
            Api.asAdmin().post(path(UUID.randomUUID().toString(), course)).then().statusCode(404).contentType("application/problem+json");
            Api.asAdmin().post(path(registration, "bad id!")).then().statusCode(400).contentType("application/problem+json");
            Api.asAdmin().body(Map.of("template", "no-such-lab")).post(path(registration, course)).then().statusCode(409);

            String ann = "ann-" + UUID.randomUUID();
            platform.lms.login(platform.lms.resourceLink(ann, course)).post().then().statusCode(303);
            platform.members(course, List.of(member(ann, "Active", LEARNER)), List.of(member("bob-" + UUID.randomUUID(), "Active", LEARNER)));
            Api.asAdmin().body(Map.of("template", "no-such-lab")).post(path(registration, course)).then().statusCode(400)
                    .contentType("application/problem+json");

            platform.answerMembershipsWith(503);
            Api.asAdmin().post(path(registration, course)).then().statusCode(503).contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("answered 503"));
            platform.answerMembershipsWith(403);
            Api.asAdmin().post(path(registration, course)).then().statusCode(502).contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("answered 403"));
            assertThat(labsOf(course)).extracting(l -> l.learnerId).containsExactly(ann); // only the launch's

            platform.close(); // the platform is down
            Api.asAdmin().post(path(registration, course)).then().statusCode(503).contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("Could not reach"));
            assertThat(labsOf(course)).hasSize(1);
        }
    }
}
