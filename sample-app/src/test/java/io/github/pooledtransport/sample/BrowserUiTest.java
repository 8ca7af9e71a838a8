package io.github.pooledtransport.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.annotation.DirtiesContext.ClassMode;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Opens the sample's page in a real headless Chromium, as a newcomer would in a browser: the buttons run the demos,
 * the result shows the numbers, and the live pool table and the diagnosis follow {@code /actuator/transport}.
 * <p>
 * Uses Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (never Selenium Manager, which would
 * download them) and only loopback; skipped when either is not installed. Leaves a screenshot of the page after each
 * test in {@code target/ui-screenshot-<test>.png}.
 * <p>
 * The "good" demo opens 1 to 50 connections only on a cold pool (they then stay idle for 90 s), which
 * {@link DemoEndpointsTest} expects too: so each test starts its own application and closes it when done.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = ClassMode.BEFORE_CLASS)
@Timeout(180)
class BrowserUiTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final String ENDPOINT = "/actuator/transport/transport";

    @LocalServerPort
    int port;

    @Value("${sample.downstream.ports.good}")
    int goodDownstreamPort;

    @Value("${sample.downstream.ports.small-idle-cap}")
    int smallIdleCapDownstreamPort;

    @Value("${sample.downstream.ports.no-keep-alive}")
    int noKeepAliveDownstreamPort;

    private String testName;

    private Path userDataDir;

    private ChromeDriverService service;

    private ChromeDriver driver;

    @BeforeAll
    static void requireChromium() {
        // Checked before the application starts: nothing is started when the browser is missing.
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            System.out.println("SKIPPED: chromium/chromedriver not installed");
        }
        Assumptions.assumeTrue(installed, "SKIPPED: chromium/chromedriver not installed");
    }

    @BeforeEach
    void startBrowser(TestInfo test) throws IOException {
        this.testName = test.getTestMethod().map(Method::getName).orElse("test");
        this.userDataDir = Files.createTempDirectory("sample-ui-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-proxy-server", "--user-data-dir=" + this.userDataDir.toAbsolutePath());
        options.setPageLoadTimeout(Duration.ofSeconds(30));
        options.setScriptTimeout(Duration.ofSeconds(30));
        // An explicit driver: Selenium Manager is never asked to find (or download) one.
        this.service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(30)).build();
        ClientConfig client = ClientConfig.defaultConfig().connectionTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(90));
        this.driver = new ChromeDriver(this.service, options, client);
        this.driver.manage().window().setSize(new Dimension(1400, 1500));
    }

    @AfterEach
    void stopBrowser() throws IOException {
        try {
            if (this.driver != null) {
                screenshot();
            }
        }
        finally {
            try {
                if (this.driver != null) {
                    this.driver.quit();
                }
            }
            finally {
                if (this.service != null) {
                    this.service.stop();
                }
                deleteRecursively(this.userDataDir);
            }
        }
    }

    @Test
    @DirtiesContext
    void buttonsRunTheDemosAndThePageShowsTheNumbersTheLivePoolAndTheDiagnosis() {
        WebDriverWait wait = new WebDriverWait(this.driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        this.driver.get("http://127.0.0.1:" + this.port + "/");

        // The buttons are built from GET /demo once the page has loaded.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run-good"))).click();
        WebElement good = wait.until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#result-good span[data-opened]")));
        assertThat(good.getText()).matches(DemoService.REQUESTS + " requests opened \\d+ connections");
        long opened = Long.parseLong(good.getDomAttribute("data-opened"));
        assertThat(opened).isBetween(1L, 2L * DemoService.CONCURRENCY); // late binding: see DemoEndpointsTest

        // The live table, refreshed every second, shows the good demo's host with (at least) its burst.
        String goodHost = "http://127.0.0.1:" + this.goodDownstreamPort;
        List<String> row = wait.until((d) -> hostRows().stream()
                .filter((cells) -> cells.size() >= 6 && cells.get(0).equals(goodHost)
                        && Long.parseLong(cells.get(5)) >= DemoService.REQUESTS)
                .findFirst().orElse(null));
        assertThat(Long.parseLong(row.get(5))).isGreaterThanOrEqualTo(DemoService.REQUESTS);
        assertThat(this.driver.findElement(By.id("totals")).getText()).startsWith("totals: ");

        // The idle cap of 2 closes and reopens connections: the diagnosis names it.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run-small-idle-cap"))).click();
        WebElement small = wait.until(ExpectedConditions
                .presenceOfElementLocated(By.cssSelector("#result-small-idle-cap span[data-opened]")));
        assertThat(Long.parseLong(small.getDomAttribute("data-opened"))).isGreaterThan(DemoService.CONCURRENCY);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("diagnosis"), "idle-cap-too-small"));
        assertThat(this.driver.findElement(By.id("diagnosis")).getText()).contains("idle-cap-too-small");
        // The card's fix names the per-host override that set the cap, not the transport-wide property.
        assertThat(this.driver.findElement(By.id("result-small-idle-cap")).getText())
                .contains("Raise transport.hosts[127.0.0.1:" + this.smallIdleCapDownstreamPort
                        + "].max-idle-conns-per-host (the override set for this host) from 2 to at least");
        // So does the live diagnosis of the endpoint, which reads the app transport's configuration.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("diagnosis"),
                "Raise transport.hosts[127.0.0.1:" + this.smallIdleCapDownstreamPort + "].max-idle-conns-per-host"));
    }

    @Test
    @DirtiesContext
    void keepAlivesDemoIsNamedByTheLiveDiagnosisOfTheSharedTransport() {
        WebDriverWait wait = new WebDriverWait(this.driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        this.driver.get("http://127.0.0.1:" + this.port + "/");

        runDemo(wait, "keep-alives-disabled");

        String host = "http://127.0.0.1:" + this.noKeepAliveDownstreamPort;
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("diagnosis"),
                "keep-alive-refused (" + host + ")"));
        assertThat(this.driver.findElement(By.id("diagnosis")).getText())
                .contains(DemoService.REQUESTS + " of " + DemoService.REQUESTS + " connections to " + host);
    }

    @Test
    @DirtiesContext
    @SuppressWarnings("unchecked")
    void chartDrawsOpenedReusedAndClosedByReasonAsTheEndpointCountsThem() {
        WebDriverWait wait = new WebDriverWait(this.driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        this.driver.get("http://127.0.0.1:" + this.port + "/");
        for (String demo : List.of("good", "small-idle-cap", "bodies-not-read", "keep-alives-disabled")) {
            runDemo(wait, demo);
        }
        JsonNode totals = endpointTotals();
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("opened", totals.required("opened").asLong());
        expected.put("reused", totals.required("reused").asLong());
        totals.required("closed").properties().forEach((reason) -> {
            if (reason.getValue().asLong() > 0) {
                expected.put("closed: " + reason.getKey(), reason.getValue().asLong());
            }
        });
        assertThat(expected).containsKeys("closed: idle-per-host-cap", "closed: body-not-consumed",
                "closed: connection-close");

        // Nothing runs any more, so the next polls draw exactly the endpoint's numbers as each line's last point.
        Map<String, Long> drawn = wait.until((d) -> {
            Map<String, Long> last = lastPoints();
            return last.equals(expected) ? last : null;
        });
        assertThat(drawn).isEqualTo(expected);
        for (String series : expected.keySet()) {
            List<Long> values = seriesValues(series);
            assertThat(values).as(series).hasSizeGreaterThan(1).isSorted().last().isEqualTo(expected.get(series));
        }
        // Each line is drawn: as many SVG points as values. Read together in one script: the chart is redrawn
        // with every poll, which may fall between two separate reads.
        List<Number> pointsAndValues = (List<Number>) script("const p = document.querySelector("
                + "'#chart polyline[data-series=\"opened\"]'); return [p.points.numberOfItems, "
                + "p.dataset.values.split(',').length];");
        assertThat(pointsAndValues.get(0).intValue()).isEqualTo(pointsAndValues.get(1).intValue());
        assertThat(this.driver.findElement(By.id("legend")).getText()).contains("closed: connection-close");
    }

    private void runDemo(WebDriverWait wait, String demo) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run-" + demo))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#result-" + demo + " span[data-opened]")));
    }

    private JsonNode endpointTotals() {
        String body = RestTestClient.bindToServer(new JdkClientHttpRequestFactory())
                .baseUrl("http://127.0.0.1:" + this.port).build().get().uri(ENDPOINT).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody();
        return new ObjectMapper().readTree(body).required("totals");
    }

    /** Each chart line's name and last value, read in one script: the chart is redrawn every second. */
    @SuppressWarnings("unchecked")
    private Map<String, Long> lastPoints() {
        List<List<Object>> lines = (List<List<Object>>) script("return Array.from(document.querySelectorAll("
                + "'#chart polyline.series')).map(p => [p.dataset.series, Number(p.dataset.last)]);");
        Map<String, Long> last = new LinkedHashMap<>();
        lines.forEach((line) -> last.put((String) line.get(0), ((Number) line.get(1)).longValue()));
        return last;
    }

    private List<Long> seriesValues(String series) {
        String values = (String) script("return document.querySelector('#chart polyline[data-series=\"" + series
                + "\"]').dataset.values;");
        return Stream.of(values.split(",")).map(Long::valueOf).toList();
    }

    private Object script(String script) {
        return ((JavascriptExecutor) this.driver).executeScript(script);
    }

    /** The cells of the live table, read in one script: the table is rebuilt every second. */
    @SuppressWarnings("unchecked")
    private List<List<String>> hostRows() {
        return (List<List<String>>) ((JavascriptExecutor) this.driver).executeScript(
                "return Array.from(document.querySelectorAll('#hosts tbody tr'))"
                        + ".map(tr => Array.from(tr.cells).map(td => td.textContent.trim()));");
    }

    private void screenshot() throws IOException {
        File file = this.driver.getScreenshotAs(OutputType.FILE);
        Path screenshot = Path.of("target", "ui-screenshot-" + this.testName + ".png");
        Files.createDirectories(screenshot.getParent());
        Files.copy(file.toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("Screenshot: " + screenshot.toAbsolutePath());
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        // Best effort: a leftover profile in the temp dir must not fail the test.
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException | UncheckedIOException ex) {
            System.out.println("Could not delete " + dir + ": " + ex);
        }
    }
}
