//===- Kinds.h - The language's word options as enums ---------------------===//
//
// Every option whose value is a word (`prox = relu`, `optimizer = sgd(...)`,
// `init = authors`, ...) is an enum class here with ONE word table: the
// words the language accepts, in one place. Sema turns a word into its enum
// with parseKind<E> (and lists kindWords<E>() in its messages); printers and
// the boundaries that still take strings (csc attributes in MLIRGen, the
// runtime's train settings) use kindWord(E). Consumers switch over the enum
// without `default:`, so adding a case makes the compiler point at every
// switch that must handle it (docs/design.md §2, layering rule 3).
//
// Each table lists its enum's cases in declaration order (checked below), so
// kindWord is an index. A case missing from its table cannot be written in a
// model; add the word with the case.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_FRONTEND_KINDS_H
#define CSCC_FRONTEND_KINDS_H

#include "cscc/Runtime/Optimizer.h"
#include "cscc/Runtime/StepInit.h"
#include "cscc/Runtime/Words.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cscc {

/// The proximal map P_b of a pursuit (docs/language.md, `prox`).
enum class Prox { Relu, Soft, Hard };
/// The iteration of an unfolded pursuit.
enum class Solver { Ista, Fista };
/// The D^T D G0 term of a warm-started pursuit.
enum class Gram { On, Off, Learned };
/// The learned step size of a pursuit.
enum class Step { Scalar, Channel, None };
/// The learned threshold b of a pursuit.
enum class Threshold { Channel, ConvChannels, None };
/// Where a pursuit's batch norm sits.
enum class BnPlacement { None, Prox, Analysis };
/// Whether a pursuit's batch-norm scale/shift is per unfolding iteration.
enum class BnAffine { Shared, PerIter };
/// How a convolution's filters are initialised.
enum class Init { Kaiming, Authors };
/// A penalty added to the loss.
enum class PenaltyKind { L1 };
/// The model's loss.
enum class Loss { CrossEntropy };
/// The train section's data set.
enum class DataSet { FashionMnist, Mnist, Cifar10, Cifar100, Svhn, Simulated };
/// The train section's optimizer and learning-rate schedule: the runtime's
/// kinds, which read the same words from settings (one table each, in
/// cscc/Runtime/Optimizer.h).
using Optimizer = rt::OptimizerKind;
using Schedule = rt::ScheduleKind;
/// The train section's step_init: the runtime's kind (cscc/Runtime/StepInit.h).
using StepInit = rt::StepInit;
/// One augmentation of the train section's `augment` list.
enum class Augment { Crop, Flip };

/// One entry of a word table (the runtime's: one mechanism for both).
template <typename E> using KindWord = rt::Word<E>;

/// The word table of E: `words`, every case of E in declaration order.
template <typename E> struct KindTable;

#define CSCC_KIND_TABLE(E, ...)                                                \
  template <> struct KindTable<E> {                                            \
    static constexpr KindWord<E> words[] = {__VA_ARGS__};                      \
  }

CSCC_KIND_TABLE(Prox, {"relu", Prox::Relu}, {"soft", Prox::Soft},
                {"hard", Prox::Hard});
CSCC_KIND_TABLE(Solver, {"ista", Solver::Ista}, {"fista", Solver::Fista});
CSCC_KIND_TABLE(Gram, {"on", Gram::On}, {"off", Gram::Off},
                {"learned", Gram::Learned});
CSCC_KIND_TABLE(Step, {"scalar", Step::Scalar}, {"channel", Step::Channel},
                {"none", Step::None});
CSCC_KIND_TABLE(Threshold, {"channel", Threshold::Channel},
                {"conv_channels", Threshold::ConvChannels},
                {"none", Threshold::None});
CSCC_KIND_TABLE(BnPlacement, {"none", BnPlacement::None},
                {"prox", BnPlacement::Prox},
                {"analysis", BnPlacement::Analysis});
CSCC_KIND_TABLE(BnAffine, {"shared", BnAffine::Shared},
                {"per_iter", BnAffine::PerIter});
CSCC_KIND_TABLE(Init, {"kaiming", Init::Kaiming}, {"authors", Init::Authors});
CSCC_KIND_TABLE(PenaltyKind, {"l1", PenaltyKind::L1});
CSCC_KIND_TABLE(Loss, {"cross_entropy", Loss::CrossEntropy});
CSCC_KIND_TABLE(DataSet, {"fashion_mnist", DataSet::FashionMnist},
                {"mnist", DataSet::Mnist}, {"cifar10", DataSet::Cifar10},
                {"cifar100", DataSet::Cifar100}, {"svhn", DataSet::Svhn},
                {"simulated", DataSet::Simulated});
template <> struct KindTable<Optimizer> {
  static constexpr const auto &words = rt::kOptimizerWords;
};
template <> struct KindTable<Schedule> {
  static constexpr const auto &words = rt::kScheduleWords;
};
template <> struct KindTable<StepInit> {
  static constexpr const auto &words = rt::kStepInitWords;
};
CSCC_KIND_TABLE(Augment, {"crop", Augment::Crop}, {"flip", Augment::Flip});

#undef CSCC_KIND_TABLE

/// True if the table of E lists its cases 0, 1, 2, ... in order.
template <typename E> constexpr bool kindTableIsOrdered() {
  std::size_t i = 0;
  for (const auto &w : KindTable<E>::words)
    if (static_cast<std::size_t>(w.value) != i++)
      return false;
  return true;
}
static_assert(kindTableIsOrdered<Prox>() && kindTableIsOrdered<Solver>() &&
                  kindTableIsOrdered<Gram>() && kindTableIsOrdered<Step>() &&
                  kindTableIsOrdered<Threshold>() &&
                  kindTableIsOrdered<BnPlacement>() &&
                  kindTableIsOrdered<BnAffine>() && kindTableIsOrdered<Init>() &&
                  kindTableIsOrdered<PenaltyKind>() &&
                  kindTableIsOrdered<Loss>() && kindTableIsOrdered<DataSet>() &&
                  kindTableIsOrdered<Optimizer>() &&
                  kindTableIsOrdered<Schedule>() &&
                  kindTableIsOrdered<StepInit>() &&
                  kindTableIsOrdered<Augment>(),
              "a word table must list its enum's cases in declaration order");

/// The word of a kind, as the language writes it.
template <typename E> constexpr const char *kindWord(E e) {
  const auto &words = KindTable<E>::words;
  auto i = static_cast<std::size_t>(e);
  return i < sizeof(words) / sizeof(words[0]) ? words[i].word : "?";
}

/// The kind a word names, or nothing if the language has no such word.
template <typename E> std::optional<E> parseKind(std::string_view word) {
  return rt::lookupWord(KindTable<E>::words, word);
}

/// Every case of E, in table order.
template <typename E> std::vector<E> allKinds() {
  std::vector<E> out;
  for (const auto &w : KindTable<E>::words)
    out.push_back(w.value);
  return out;
}

/// The words of the given kinds (by default all of E), in the order given.
template <typename E>
std::vector<std::string> kindWords(const std::vector<E> &kinds = allKinds<E>()) {
  std::vector<std::string> out;
  for (E k : kinds)
    out.push_back(kindWord(k));
  return out;
}

} // namespace cscc

#endif
