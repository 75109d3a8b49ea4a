#if canImport(Glibc)
import Glibc
#endif

/// Runs the command line on jemalloc when the machine has it.
///
/// Measured with `bash perf/run.sh` (five full runs on 2026-11-29, medians of 3 or 5 runs each, 2 workers): on
/// map_100x3, the most allocation-heavy workload, jemalloc gave 1.03× to 1.22× the executions/s of glibc's malloc
/// in every run; on the other workloads the ratio moved between 0.57 and 1.20 from run to run, inside this shared
/// machine's noise; a million parked executions took 1.6 % less memory. Four later runs, after the engine allocated
/// far less, gave 0.98× to 1.16× on map_100x3 and noise elsewhere; the two after the third profile round gave
/// 1.03× and 1.06× on map_100x3, 1.04× and 1.16× on parallel_4x3, but 0.88× and 0.90× on order_processing; the
/// three after the fourth, 1.00× to 1.09× on parallel_4x3, 1.00× and 1.01× on map_100x3, 0.76× to 1.07× on
/// order_processing; the four after the fifth, 0.91× to 1.08× on map_100x3, 0.92× to 1.24× on parallel_4x3, 0.80×
/// to 1.24× on order_processing, 1.01× to 1.14× on pass_chain_10 (noise around 1); the five after the sixth, 0.99×
/// to 1.08× on map_100x3, 1.00× to 1.13× on parallel_4x3, 0.62× to 1.25× on pass_chain_10; the five after the
/// seventh, 0.79× to 1.24× on map_100x3, 0.97× to 1.47× on parallel_4x3, 0.96× to 1.96× on pass_chain_10, 0.74× to
/// 1.02× on order_processing; the five after the eighth (no line shared between workers any more), 0.96× to 1.01× on
/// map_100x3, 1.02× to 1.12× on parallel_4x3, 0.95× to 1.04× on pass_chain_10, 0.96× to 1.11× on order_processing;
/// the fifteen of the ninth (a faster machine), 0.87× to 1.45× on map_100x3 (twelve of fifteen 1.00× or more),
/// 0.98× to 1.09× on parallel_4x3, 0.90× to 1.11× on pass_chain_10, 0.78× to 1.09× on order_processing; the five
/// of the tenth (2026-11-30), 0.98× to 1.20× on map_100x3, 0.97× to 1.16× on parallel_4x3, 0.98× to 1.20× on
/// pass_chain_10, 0.98× to 1.13× on order_processing, 0.96× to 1.00× on choice_heavy, and ten more at the end of it,
/// 0.91× to 1.29× on map_100x3, 0.99× to 1.40× on parallel_4x3, 0.96× to 1.52× on pass_chain_10, 1.00× to 1.42× on
/// order_processing; the ten of the eleventh (longer runs after a warm-up, 13 locked instructions per execution),
/// 1.09× to 1.58× on pass_chain_10 (all ten), 1.00× to 1.51× on order_processing, 1.02× to 1.33× on parallel_4x3,
/// 0.90× to 1.02× on map_100x3, 0.98× to 1.01× on choice_heavy. So jemalloc is kept,
/// for the engine's allocation pattern (objects made on one worker and freed on another). Linking it would make
/// `libjemalloc-dev` a build requirement; instead the process re-executes itself once with
/// `LD_PRELOAD=libjemalloc.so.2` when that library is installed. `QUICKSTEP_ALLOCATOR=glibc` keeps glibc's malloc.
/// Programs that embed the engine choose their own allocator.
public enum Allocator {
    static let candidates = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
                             "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2"]

    /// Re-executes the process on jemalloc if it is installed, wanted, and not loaded yet; returns otherwise.
    public static func preferJemalloc() {
        #if os(Linux)
        let wanted = getenv("QUICKSTEP_ALLOCATOR").map { String(cString: $0) } ?? "jemalloc"
        guard wanted == "jemalloc" else { return }
        let preload = getenv("LD_PRELOAD").map { String(cString: $0) } ?? ""
        guard !preload.contains("jemalloc"),
            let library = candidates.first(where: { access($0, R_OK) == 0 })
        else { return }
        setenv("LD_PRELOAD", preload.isEmpty ? library : library + ":" + preload, 1)
        // Marks the attempt, so a failed preload cannot loop.
        setenv("QUICKSTEP_ALLOCATOR", "jemalloc-loaded", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with glibc's malloc.
        #endif
    }
}
