// The little of autocannon's API the benchmarks use (it ships no types).
declare module 'autocannon' {
  interface Stats {
    average: number;
    p50: number;
    p99: number;
  }
  interface Result {
    requests: Stats;
    latency: Stats;
    throughput: Stats;
    non2xx: number;
  }
  export default function autocannon(options: { url: string; headers?: Record<string, string>; connections?: number; duration?: number }): Promise<Result>;
}
