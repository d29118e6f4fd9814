package com.zenlogic.customerservice.imports;

import java.nio.charset.StandardCharsets;

/**
 * The external ids an import has read so far, as 64-bit hashes in an open-addressing table: about
 * 16 bytes per row (16 MB for a million rows) instead of the strings. Two different ids sharing a
 * 64-bit hash is about one chance in 10^7 for a file of a million rows; the second would be
 * reported as a repeat. Rebuilt from the file itself when an import resumes.
 */
final class SeenExternalIds {
  private long[] table = new long[1 << 16];
  private int size;

  /** Adds the id; answers false when it was there already. */
  boolean add(String externalId) {
    long h = hash(externalId);
    if (h == 0) {
      h = 1;
    }
    if (size * 2 >= table.length) {
      grow();
    }
    return insert(table, h);
  }

  private boolean insert(long[] t, long h) {
    int mask = t.length - 1;
    int i = (int) (h ^ (h >>> 32)) & mask;
    while (t[i] != 0) {
      if (t[i] == h) {
        return false;
      }
      i = (i + 1) & mask;
    }
    t[i] = h;
    if (t == table) {
      size++;
    }
    return true;
  }

  private void grow() {
    long[] old = table;
    long[] bigger = new long[old.length * 2];
    for (long h : old) {
      if (h != 0) {
        int mask = bigger.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (bigger[i] != 0) {
          i = (i + 1) & mask;
        }
        bigger[i] = h;
      }
    }
    table = bigger;
  }

  // FNV-1a over the UTF-8 bytes, then the MurmurHash3 finaliser to spread the bits.
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
