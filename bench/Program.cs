using SparseCore.Bench;
using SparseCore.Bench.Conv;
using SparseCore.Bench.Pruned;
using SparseCore.Bench.Sparse;

// `--in-process` runs without child builds (what a published single-file app needs); the
// default spawns one process per benchmark case, the usual BenchmarkDotNet isolation.
// `plot-conv [csv] [png]` draws docs/conv-speedup.png from the conv-forms suite's CSV export.
// `plot-sparse [csv] [png]` draws docs/sparse-speedup.png and prints the crossover densities from the weight-sparsity suite's.
// `recorded-widths CELL.json …` times a sweep cell's pruned network, rebuilt from its recorded widths, against the dense one.
// `network [options]` (dispatched by BenchEntry, so `sparsecore bench network` has it too) times whole networks against PyTorch and ONNX Runtime.
if (args.Length > 0 && args[0] == ConvSpeedupPlot.Command)
    return ConvSpeedupPlot.Run(args[1..]);
if (args.Length > 0 && args[0] == SparseSpeedupPlot.Command)
    return SparseSpeedupPlot.Run(args[1..]);
if (args.Length > 0 && args[0] == RecordedWidths.Command)
    return RecordedWidths.Run(args[1..]);

const string InProcessFlag = "--in-process";
bool inProcess = args.Contains(InProcessFlag);
return BenchEntry.Run(args.Where(a => a != InProcessFlag).ToArray(), inProcess);
