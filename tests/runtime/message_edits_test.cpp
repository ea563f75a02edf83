// Edits to a received message are applied once, in offset order, to a copy.
#include <gtest/gtest.h>

#include "kamc/runtime/message_edits.h"

using kamc::runtime::MessageEdits;

TEST(MessageEdits, InsertionsAtOneOffsetKeepTheirOrder) {
  MessageEdits edits;
  edits.insert(3, "1");
  edits.insert(0, ">");
  edits.insert(3, "2");
  EXPECT_EQ(edits.apply("abcdef"), ">abc12def");
}

TEST(MessageEdits, ReplaceAndRemove) {
  MessageEdits edits;
  edits.replace(0, 3, "xyz!");
  edits.remove(4, 2);
  EXPECT_EQ(edits.apply("abcdefg"), "xyz!dg");
}

TEST(MessageEdits, OverlappingRemovalsDeleteOnce) {
  MessageEdits edits;
  edits.remove(2, 3);
  edits.remove(2, 3);
  edits.remove(3, 4);
  EXPECT_EQ(edits.apply("0123456789"), "01789");
  EXPECT_TRUE(edits.is_removed(4));
  EXPECT_FALSE(edits.is_removed(7));
}

TEST(MessageEdits, OffsetsPastTheEndAppend) {
  MessageEdits edits;
  edits.insert(100, "!");
  EXPECT_EQ(edits.apply("abc"), "abc!");
}

TEST(MessageEdits, ApplyRangeOnlyUsesEditsInsideTheRange) {
  MessageEdits edits;
  edits.insert(1, "<");
  edits.insert(5, "[");
  edits.remove(6, 1);
  EXPECT_EQ(edits.apply_range("0123456789", 4, 8), "4[57");
}
