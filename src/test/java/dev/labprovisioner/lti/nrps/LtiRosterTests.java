package dev.labprovisioner.lti.nrps;

import dev.labprovisioner.Api;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lti.LtiClaims;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.labprovisioner.lti.ags.FakeAgsPlatform;

import static dev.labprovisioner.lti.ags.FakeAgsPlatform.member;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names and Role Provisioning (issue 11, items 6 and 7): an admin asks for the labs of an LTI course; the roster comes
 * from the platform's memberships (two pages here), and the labs are the ones the learners' own launches then open.
 */
@QuarkusTest
class LtiRosterTests {

    private static final String INSTRUCTOR = LtiClaims.ROLE_INSTRUCTOR;
    private static final String LEARNER = LtiClaims.ROLE_LEARNER;
    private static final String TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant";

    private static String path(String registration, String context) {
        return "/api/v1/admin/lti/platforms/" + registration + "/contexts/" + context + "/roster-labs";
    }

    private static List<Lab> labsOf(String course) {
        return QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>list("courseId = ?1 order by learnerId", course));
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
