using System.CommandLine;

namespace SparseCore.Cli;

/// <summary>Options several commands share, with one spelling and one default each.</summary>
internal static class CommonOptions
{
    public static Option<string?> Device() => new("--device")
    {
        Description = "cpu | cuda | ilgpu-cpu (default: $SPARSECORE_DEVICE, else cuda when an NVIDIA GPU is found, else cpu)",
    };

    public static Option<string> Data() => new("--data")
    {
        Description = "fashion-mnist, or a folder holding the four standard IDX files or the CIFAR-10/100 binary files",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    public static Option<ulong> Seed() => NumberOptions.Seed("--seed", "seed for initialisation, shuffling and splits");

    public static Option<int?> Validation() => NumberOptions.OptionalWhole("--validation",
        "training images held out for validation (default: 5,000, or a tenth of a smaller training set)", 0);

    public static Option<bool> Profile() => new("--profile")
    {
        Description = "time every kernel by family and direction and print where the time went (train also writes it to profile.md in its run folder); on a GPU each kernel is waited for, so the run is slower",
    };
}
