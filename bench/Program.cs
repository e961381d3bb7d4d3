using SparseCore.Bench;

// `--in-process` runs without child builds (what a published single-file app needs); the
// default spawns one process per benchmark case, the usual BenchmarkDotNet isolation.
const string InProcessFlag = "--in-process";
bool inProcess = args.Contains(InProcessFlag);
return BenchEntry.Run(args.Where(a => a != InProcessFlag).ToArray(), inProcess);
