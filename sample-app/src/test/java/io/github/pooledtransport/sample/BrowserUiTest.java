package io.github.pooledtransport.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.annotation.DirtiesContext.ClassMode;

/**
 * Opens the sample's page in a real headless Chromium, as a newcomer would in a browser: the buttons run the demos,
 * the result shows the numbers, and the live pool table and the diagnosis follow {@code /actuator/transport}.
 * <p>
 * Uses Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (never Selenium Manager, which would
 * download them) and only loopback; skipped when either is not installed. Leaves a screenshot of the page in
 * {@code target/ui-screenshot.png}.
 * <p>
 * The "good" demo opens 1 to 50 connections only on a cold pool (they then stay idle for 90 s), which
 * {@link DemoEndpointsTest} expects too: so this test starts its own application and closes it when done.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = ClassMode.BEFORE_CLASS)
@Timeout(180)
class BrowserUiTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final Path SCREENSHOT = Path.of("target", "ui-screenshot.png");

    @LocalServerPort
    int port;

    @Value("${sample.downstream.ports.good}")
    int goodDownstreamPort;

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
    void startBrowser() throws IOException {
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
        this.driver.manage().window().setSize(new Dimension(1280, 1400));
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
        assertThat(opened).isBetween(1L, (long) DemoService.CONCURRENCY);

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
        Files.createDirectories(SCREENSHOT.getParent());
        Files.copy(file.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("Screenshot: " + SCREENSHOT.toAbsolutePath());
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
