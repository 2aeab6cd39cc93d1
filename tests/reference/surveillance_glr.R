# Reference alarms of R surveillance's GLR detectors (glrpois; glrnb with an estimated or a stated alpha
# and mu0, increase and decrease) and Poisson LR-CUSUM on public data sets bundled with surveillance
# (shadar, salmonella.agona, ha, m1). Writes surveillance_glr.json next to
# this script; the Python tests read the JSON and never need R.
#
#   Rscript tests/reference/surveillance_glr.R
#
# surveillance does not return the change-time estimate, so it is recomputed here by brute
# force from dpois/dnbinom log-likelihood ratios maximised with optimize() (an implementation
# independent of the closed form used in analysis.monitor) over the same candidate starts as
# the C code, for the segment that ended at each alarm.
suppressPackageStartupMessages({library(surveillance); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))

llr <- function(x, mu0, kappa, alpha) {
  if (alpha == 0) sum(dpois(x, mu0 * exp(kappa), log = TRUE) - dpois(x, mu0, log = TRUE))
  else sum(dnbinom(x, size = 1 / alpha, mu = mu0 * exp(kappa), log = TRUE) -
           dnbinom(x, size = 1 / alpha, mu = mu0, log = TRUE))
}
best_kappa <- function(x, mu0, alpha, dir) {
  lo <- if (dir == 1) 0 else -20; hi <- if (dir == 1) 20 else 0
  o <- optimize(function(k) llr(x, mu0, k, alpha), c(lo, hi), maximum = TRUE, tol = 1e-10)
  c(o$maximum, o$objective)
}
# starts allowed for a segment ending at n (0-based C indices, as in surveillance's C code)
starts <- function(n, M, Mtilde, alpha) {
  if (alpha == 0 && M > 0) seq(max(0, n - M), n - Mtilde)
  else if (alpha == 0) seq(0, n)
  else seq(if (M == -1) 0 else max(0, n - M), n - (Mtilde - 1))
}
change_times <- function(x, mu0, alarm, M, Mtilde, alpha, dir) {
  out <- integer(0); begin <- 1
  for (a in which(alarm)) {
    xs <- x[begin:a]; ms <- mu0[begin:a]; n <- length(xs) - 1
    ks <- starts(n, M, Mtilde, alpha)
    # for a decrease the C code's 0 * log(0) is NaN: segments without events never win
    if (alpha == 0 && dir == -1) ks <- ks[sapply(ks, function(k) sum(xs[(k + 1):(n + 1)]) > 0)]
    vals <- sapply(ks, function(k) best_kappa(xs[(k + 1):(n + 1)], ms[(k + 1):(n + 1)], alpha, dir)[2])
    out <- c(out, begin + ks[which.max(vals)])  # 1-based position in the monitored range
    begin <- a + 1
  }
  out
}

run <- function(name, data, range, control, family = "poisson") {
  ctl <- c(list(range = range), control)
  res <- if (family == "poisson") algo.glrpois(data, control = ctl) else algo.glrnb(data, control = ctl)
  x <- data$observed[range]; mu0 <- as.numeric(res$control$mu0)
  alarm <- as.logical(res$alarm)
  alpha <- if (family == "poisson") 0 else res$control$alpha
  get <- function(name) control[[name, exact = TRUE]]  # control$M would partially match Mtilde
  M <- if (is.null(get("M"))) -1 else get("M")
  Mtilde <- if (is.null(get("Mtilde"))) 1 else get("Mtilde")
  dir <- if (is.null(get("dir")) || get("dir") == "inc") 1 else -1
  ct <- if (is.null(get("theta"))) change_times(x, mu0, alarm, M, Mtilde, alpha, dir) else NULL
  list(name = name, family = family, x = as.integer(x), mu0 = mu0, alpha = alpha,
       c_ARL = control$c.ARL, M = M, Mtilde = Mtilde, dir = ifelse(dir == 1, "up", "down"),
       theta = get("theta"),
       alarm_index = which(alarm),               # 1-based positions in the monitored range
       change_index = ct,                        # 1-based, NULL for the known-theta CUSUM
       statistic = as.numeric(res$upperbound))
}

# In-control means stated directly (glrnb with a given mu0 and alpha): a seasonal Poisson GLM
# (one sine/cosine pair, period 52) fitted on the weeks before the monitored range and
# predicted for it, or the constant mean of those weeks.
seasonal_mu0 <- function(obs, range) {
  obs <- as.numeric(obs)
  t <- seq_along(obs)
  d <- data.frame(y = obs, s1 = sin(2 * pi * t / 52), c1 = cos(2 * pi * t / 52))
  m <- glm(y ~ s1 + c1, family = poisson, data = d[seq_len(min(range) - 1), ])
  as.numeric(predict(m, newdata = d[range, ], type = "response"))
}
constant_mu0 <- function(obs, range) rep(mean(as.numeric(obs)[seq_len(min(range) - 1)]), length(range))

data("shadar"); data("salmonella.agona"); data("ha"); data("m1")
ha1 <- suppressWarnings(create.disProg(week = 1:nrow(ha$observed), observed = rowSums(ha$observed),
                      state = rowSums(ha$state), freq = 52))
cases <- list(
  run("shadar_c4", shadar, 105:295, list(c.ARL = 4, mu0 = list(S = 1, trend = FALSE), ret = "value")),
  run("shadar_c3_M52", shadar, 105:295, list(c.ARL = 3, M = 52, Mtilde = 1,
                                             mu0 = list(S = 1, trend = FALSE), ret = "value")),
  run("agona_c5_trend", salmonella.agona, 157:312, list(c.ARL = 5, mu0 = list(S = 1, trend = TRUE),
                                                        ret = "value")),
  run("ha_total_c6", ha1, 157:290, list(c.ARL = 6, mu0 = list(S = 2, trend = FALSE), ret = "value")),
  run("ha_total_dec_c3", ha1, 157:290, list(c.ARL = 3, dir = "dec", mu0 = list(S = 1, trend = FALSE),
                                            ret = "value")),
  run("m1_c2_M26_Mt2", m1, 105:209, list(c.ARL = 2, M = 26, Mtilde = 2, mu0 = list(S = 1),
                                        ret = "value")),
  run("shadar_cusum_log2", shadar, 105:295, list(c.ARL = 3, theta = log(2), mu0 = list(S = 1),
                                                 ret = "value")),
  run("agona_nb_c5", salmonella.agona, 157:312, list(c.ARL = 5, mu0 = list(S = 1, trend = TRUE),
                                                     ret = "value"), family = "nb"),
  run("ha_total_nb_c4_M52", ha1, 157:290, list(c.ARL = 4, M = 52, mu0 = list(S = 2), ret = "value"),
      family = "nb"),
  # glrnb with a given alpha and mu0, increase and decrease
  run("shadar_nb_given_inc", shadar, 105:295,
      list(c.ARL = 3, alpha = 0.2, mu0 = seasonal_mu0(shadar$observed, 105:295), ret = "value"),
      family = "nb"),
  run("shadar_nb_given_dec", shadar, 105:295,
      list(c.ARL = 3, alpha = 0.2, dir = "dec", mu0 = seasonal_mu0(shadar$observed, 105:295),
           ret = "value"), family = "nb"),
  run("agona_nb_given_inc_const", salmonella.agona, 157:312,
      list(c.ARL = 2.5, alpha = 0.2, mu0 = constant_mu0(salmonella.agona$observed, 157:312),
           ret = "value"), family = "nb"),
  run("agona_nb_given_dec_const_M26", salmonella.agona, 157:312,
      list(c.ARL = 2.5, alpha = 0.5, dir = "dec", M = 26,
           mu0 = constant_mu0(salmonella.agona$observed, 157:312), ret = "value"), family = "nb"),
  run("ha_total_nb_given_dec_Mt2", ha1, 157:290,
      list(c.ARL = 3, alpha = 0.1, dir = "dec", Mtilde = 2,
           mu0 = seasonal_mu0(ha1$observed, 157:290), ret = "value"), family = "nb"),
  run("ha_total_nb_given_inc_M26", ha1, 157:290,
      list(c.ARL = 3, alpha = 0.1, M = 26, mu0 = seasonal_mu0(ha1$observed, 157:290), ret = "value"),
      family = "nb")
)
out <- list(
  generator = "tests/reference/surveillance_glr.R",
  R_version = R.version.string,
  surveillance_version = as.character(packageVersion("surveillance")),
  source = "surveillance data sets shadar, salmonella.agona, ha, m1 (https://CRAN.R-project.org/package=surveillance)",
  cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           file.path(here, "surveillance_glr.json"))
