package org.covidct.nn.data.layout;

import java.util.Comparator;

/**
 * Strings in the order of their Unicode code points, as Python's {@code sorted} orders {@code str}.
 * {@link String#compareTo} compares UTF-16 units instead, which puts characters above U+FFFF (stored
 * as surrogates, U+D800..U+DFFF) before those in U+E000..U+FFFF.
 */
final class CodePointOrder implements Comparator<String> {
    static final CodePointOrder INSTANCE = new CodePointOrder();

    private CodePointOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
