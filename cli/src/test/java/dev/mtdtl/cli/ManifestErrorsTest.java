package dev.mtdtl.cli;

import dev.mtdtl.cli.conformance.Manifest;
import dev.mtdtl.tensor.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void malformedManifestNamesFileAndPosition() throws IOException {
        AtomicFiles.writeString(tmp.resolve("manifest.json"), "{\"cases\": [\n  {\"name\": }\n]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Manifest.load(tmp));
        assertTrue(e.getMessage().contains("manifest.json:2:"), e.getMessage());
    }

    @Test
    void caseWithoutNameIsNamed() throws IOException {
        AtomicFiles.writeString(tmp.resolve("manifest.json"), "{\"cases\": [{\"inputs\": []}]}");
        IOException e = assertThrows(IOException.class, () -> Manifest.load(tmp));
        assertTrue(e.getMessage().contains("case #0") && e.getMessage().contains("name"), e.getMessage());
    }
}
