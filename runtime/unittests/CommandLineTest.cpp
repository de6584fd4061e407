//===- CommandLineTest.cpp - the runtime's command-line parser -----------===//
#include "cscc/Runtime/CommandLine.h"
#include "cscc/Runtime/Trainer.h"

#include "ThrowsWithMessage.h"

#include <gtest/gtest.h>

namespace cscc::rt {
namespace {

using unittest::throwsWithMessage;

TEST(CommandLineTest, SplitsPositionalsAndOptionsInOrder) {
  CommandLine cl({"a.npy", "--seed", "3", "b.npy", "-o", "out.npy"});
  EXPECT_EQ(cl.positionals(), (std::vector<std::string>{"a.npy", "b.npy"}));
  ASSERT_EQ(cl.options().size(), 2u);
  EXPECT_EQ(cl.options()[0].name, "--seed");
  EXPECT_EQ(cl.options()[0].value, "3");
  EXPECT_EQ(cl.options()[1].name, "-o");
  EXPECT_EQ(cl.options()[1].value, "out.npy");
}

TEST(CommandLineTest, EqualsSignGivesTheValueInline) {
  CommandLine cl({"--lr=0.5", "--milestones=3,6"});
  EXPECT_EQ(cl.get("--lr"), "0.5");
  EXPECT_EQ(cl.get("--milestones"), "3,6");
}

TEST(CommandLineTest, ValueIsTheNextArgumentWhateverItIs) {
  CommandLine cl({"--lr", "-1", "--run-dir", "--weird"});
  EXPECT_EQ(cl.get("--lr"), "-1");
  EXPECT_EQ(cl.get("--run-dir"), "--weird");
  EXPECT_TRUE(cl.positionals().empty());
}

TEST(CommandLineTest, NegativeNumbersAndDashArePositionals) {
  CommandLine cl({"-1", "-", "-.5", "--n", "2"});
  EXPECT_EQ(cl.positionals(), (std::vector<std::string>{"-1", "-", "-.5"}));
  EXPECT_EQ(cl.get("--n"), "2");
}

TEST(CommandLineTest, FlagsTakeNoValue) {
  CommandLine cl({"--shuffle", "dir", "--flip"}, {"--shuffle", "--flip"});
  EXPECT_TRUE(cl.has("--shuffle"));
  EXPECT_TRUE(cl.has("--flip"));
  EXPECT_FALSE(cl.has("--crop"));
  EXPECT_EQ(cl.positionals(), (std::vector<std::string>{"dir"}));
}

TEST(CommandLineTest, LastValueWinsAndAllKeepsEvery) {
  CommandLine cl({"--meta", "a=1", "--meta", "b=2"});
  EXPECT_EQ(cl.get("--meta"), "b=2");
  EXPECT_EQ(cl.all("--meta"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(cl.get("--absent", "fallback"), "fallback");
  EXPECT_TRUE(cl.all("--absent").empty());
}

TEST(CommandLineTest, MissingValueIsAUsageError) {
  EXPECT_TRUE(throwsWithMessage([] { CommandLine({"x", "--lr"}); },
                                "--lr needs a value"));
  EXPECT_THROW(CommandLine({"-o"}), UsageError);
}

TEST(CommandLineTest, AllowOnlyNamesTheUnknownOption) {
  CommandLine cl({"--bogus", "1", "-o", "x"});
  EXPECT_TRUE(throwsWithMessage([&] { cl.allowOnly({"-o"}); },
                                "unknown option '--bogus'"));
  EXPECT_NO_THROW(cl.allowOnly({"-o", "--bogus"}));
}

TEST(CommandLineTest, ExpectPositionalsNamesTheUsage) {
  CommandLine cl({"dir"});
  EXPECT_NO_THROW(cl.expectPositionals(1, "checkpoint-list DIR"));
  EXPECT_TRUE(throwsWithMessage(
      [&] { cl.expectPositionals(2, "checkpoint-read DIR TAG"); },
      "expected checkpoint-read DIR TAG"));
}

TEST(CommandLineTest, Numbers) {
  EXPECT_EQ(parseInteger("-12", "count"), -12);
  EXPECT_TRUE(throwsWithMessage([] { parseInteger("two", "epochs"); },
                                "invalid epochs 'two'"));
  EXPECT_THROW(parseInteger("", "n"), UsageError);
  EXPECT_THROW(parseInteger("1.5", "n"), UsageError);
  EXPECT_THROW(parseInteger("99999999999999999999999", "n"), UsageError);
  EXPECT_DOUBLE_EQ(parseReal("0.25", "x"), 0.25);
  EXPECT_THROW(parseReal("0.25s", "x"), UsageError);
}

CommandInvocation invoke(std::vector<std::string> words) {
  std::vector<char *> argv;
  for (std::string &w : words)
    argv.push_back(w.data());
  return CommandInvocation::fromArgv(static_cast<int>(argv.size()),
                                     argv.data());
}

TEST(CommandInvocationTest, CommandWordAndItsArguments) {
  CommandInvocation inv = invoke({"prog", "train", "--epochs", "2"});
  EXPECT_FALSE(inv.helpAsked);
  EXPECT_EQ(inv.command, "train");
  EXPECT_EQ(inv.arguments, (std::vector<std::string>{"--epochs", "2"}));
}

TEST(CommandInvocationTest, HelpAndMissingCommand) {
  for (const char *help : {"--help", "-h", "help"}) {
    CommandInvocation inv = invoke({"prog", help});
    EXPECT_TRUE(inv.helpAsked) << help;
    EXPECT_FALSE(inv.commandMissing) << help;
  }
  CommandInvocation none = invoke({"prog"});
  EXPECT_TRUE(none.helpAsked);
  EXPECT_TRUE(none.commandMissing);
}

// The training flags go through the same parser.
TEST(TrainSettingsTest, FlagsOverrideTheModelsTrainSection) {
  TrainSettings s = parseTrainSettings(
      {{"epochs", "3"}, {"lr", "0.1"}},
      {"--epochs", "5", "--weight-decay=0.001", "-o", "y.npy"}, "net");
  EXPECT_EQ(s.epochs, 5);
  EXPECT_DOUBLE_EQ(s.optimizer.lr, 0.1);
  EXPECT_DOUBLE_EQ(s.optimizer.weightDecay, 0.001);
  EXPECT_EQ(s.output, "y.npy");
  EXPECT_EQ(s.runDir, "runs/net");
}

TEST(TrainSettingsTest, FlagErrorsNameTheFlag) {
  EXPECT_TRUE(throwsWithMessage(
      [] { parseTrainSettings({}, {"--epochs", "0"}, "net"); },
      "flag --epochs: 'epochs' expects an integer >= 1, got '0'"));
  EXPECT_TRUE(throwsWithMessage(
      [] { parseTrainSettings({}, {"--lr"}, "net"); }, "--lr needs a value"));
  EXPECT_TRUE(throwsWithMessage(
      [] { parseTrainSettings({}, {"stray"}, "net"); },
      "unexpected argument 'stray' (flags are --key value)"));
  EXPECT_TRUE(throwsWithMessage(
      [] { parseTrainSettings({}, {"-lr", "1"}, "net"); },
      "unexpected argument '-lr' (flags are --key value)"));
}

} // namespace
} // namespace cscc::rt
