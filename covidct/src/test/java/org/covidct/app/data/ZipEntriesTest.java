package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZipEntriesTest {
    @Test
    void imagesAreNamedByTheirFileNameWhereverTheArchivePutThem() throws IOException {
        assertEquals("a %1 (b),c.png", ZipEntries.fileName("z.zip", "CT_COVID/a %1 (b),c.png"));
        assertEquals("a.png", ZipEntries.fileName("z.zip", "a.png"));
        assertEquals("a.png", ZipEntries.fileName("z.zip", "Images-processed/CT_COVID/a.png"));
        assertEquals("a.png", ZipEntries.fileName("z.zip", "CT_COVID\\a.png"));
    }

    @Test
    void foldersAndMacJunkAreNotImages() throws IOException {
        for (String junk : List.of("CT_COVID/", "__MACOSX/CT_COVID/._a.png", "__MACOSX/a.png", "CT_COVID/.DS_Store",
                "._a.png", "CT_COVID/__MACOSX/a.png")) {
            assertNull(ZipEntries.fileName("z.zip", junk), junk);
        }
    }

    @Test
    void pathsThatClimbOutAreRefused() {
        for (String evil : List.of("../a.png", "CT_COVID/../../a.png", "/etc/a.png", "C:\\a.png", "c:a.png",
                "CT_COVID\\..\\..\\a.png", "__MACOSX/../a.png")) {
            IOException e = assertThrows(IOException.class, () -> ZipEntries.fileName("z.zip", evil), evil);
            assertTrue(e.getMessage().startsWith("z.zip: the entry '" + evil + "' "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; the archive was refused and deleted"), e.getMessage());
        }
    }
}
