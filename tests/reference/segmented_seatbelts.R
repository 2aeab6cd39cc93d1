# Reference values for tests/test_models_segmented.py: R's segmented (Muggeo) on datasets::Seatbelts.
# Run from the repository root:  Rscript tests/reference/segmented_seatbelts.R
# Reads tests/reference/data/seatbelts.csv (written by seatbelts_glm.R from R's datasets::Seatbelts)
# and writes tests/reference/segmented_seatbelts.json. The tests never need R.
#
# Models (time = 1..192, law = 1 from 1983-02, no offset), one breakpoint psi in time:
#   poisson_rear:    segmented(glm(rear ~ time + law + factor(month), poisson), seg.Z = ~time, psi = 100)
#   poisson_van:     segmented(glm(VanKilled ~ time + law, poisson), ~time, psi = 100)
#   negbin_rear:     segmented(glm.nb(rear ~ time + law + factor(month)), ~time, psi = 100)
#                    segmented.glm keeps theta at the unsegmented glm.nb's value while it searches
#                    psi and re-estimates it only in the final refit; "profile_mle" is the joint
#                    maximum likelihood (theta re-estimated at every psi, by optimize) for comparison.
#   poisson_drivers: segmented(glm(DriversKilled ~ time + law, poisson), ~time, psi = 100)
#                    (its estimate sits on a data value, where the profile likelihood has a kink)
#   poisson_front:   segmented(glm(front ~ time + law, poisson), ~time, psi = 100) stops at a local
#                    maximum near 97; "global" is the profile maximum over the whole range (a grid of
#                    step 0.5 over 2..191, then optimize in the best grid cell's neighbourhood).
# "psi_se" is segmented's St.Err (the Wald SE of the V * beta_U column of the final refit, with
# dispersion 1 for poisson and glm.nb); "psi_ci" is confint.segmented (delta method, qt with
# df.residual because a glm is also an "lm") with that same covariance (.vcov); terms and slopes
# use it too. "psi_ci_confint_default" is plain confint(s): for a glm.nb fit vcov.segmented goes
# through summary.glm, whose dispersion is Pearson chi2 / df, so there it is wider than psi_se says.
suppressMessages(library(segmented))
d <- read.csv("tests/reference/data/seatbelts.csv")
d$time <- seq_len(nrow(d))
d$m <- factor(as.integer(substr(d$month, 6, 7)))  # calendar month, January the reference
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
ctl_nb <- glm.control(epsilon = 1e-10, maxit = 100)  # glm.nb alternates to this tolerance too

num <- function(x) unname(as.numeric(x))
cov1 <- function(s) summary.glm(s, dispersion = 1)$cov.scaled  # dispersion 1 (poisson, glm.nb)
terms_of <- function(s) {
  v <- cov1(s)
  cf <- coef(s)
  nm <- setdiff(names(cf), grep("^psi", names(cf), value = TRUE))
  lapply(setNames(nm, nm), function(k) list(estimate = num(cf[k]), se = num(sqrt(v[k, k]))))
}
slopes_of <- function(s) {
  sl <- slope(s, .vcov = cov1(s), digits = 15)$time
  lapply(setNames(rownames(sl), rownames(sl)), function(k) list(
    estimate = num(sl[k, 1]), se = num(sl[k, 2]), ci_low = num(sl[k, 4]), ci_high = num(sl[k, 5])))
}
describe <- function(s, formula) {
  ci <- confint(s, .vcov = cov1(s), digits = 15)
  ci0 <- confint(s, digits = 15)
  list(formula = formula, psi = num(s$psi[1, "Est."]), psi_se = num(s$psi[1, "St.Err"]),
       psi_ci = c(num(ci[1, 2]), num(ci[1, 3])), psi_ci_confint_default = c(num(ci0[1, 2]), num(ci0[1, 3])),
       df_residual = s$df.residual,
       loglik = num(logLik(s)), aic = num(AIC(s)), deviance = num(deviance(s)),
       terms = terms_of(s), slopes = slopes_of(s), iterations = s$it)
}

out <- list(
  source = "R datasets::Seatbelts (UK driver casualties 1969-1984, Harvey and Durbin 1986); https://stat.ethz.ch/R-manual/R-devel/library/datasets/html/UKDriverDeaths.html",
  r_version = R.version.string,
  segmented_version = as.character(packageVersion("segmented")),
  mass_version = as.character(packageVersion("MASS")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  models = list())

s <- segmented(glm(rear ~ time + law + m, family = poisson, data = d), seg.Z = ~time, psi = 100)
out$models$poisson_rear <- describe(s, "segmented(glm(rear ~ time + law + factor(month), poisson), seg.Z = ~time, psi = 100)")

s <- segmented(glm(VanKilled ~ time + law, family = poisson, data = d), seg.Z = ~time, psi = 100)
out$models$poisson_van <- describe(s, "segmented(glm(VanKilled ~ time + law, poisson), seg.Z = ~time, psi = 100)")

nb0 <- glm.nb(rear ~ time + law + m, data = d)
s <- segmented(nb0, seg.Z = ~time, psi = 100)
m <- describe(s, "segmented(glm.nb(rear ~ time + law + factor(month)), seg.Z = ~time, psi = 100)")
m$theta_search <- nb0$theta
m$theta_final <- s$theta
m$theta_final_se <- s$SE.theta
prof <- function(p) {
  d$U <- pmax(d$time - p, 0)
  as.numeric(logLik(glm.nb(rear ~ time + law + m + U, data = d, control = ctl_nb)))
}
o <- optimize(prof, c(m$psi - 0.5, m$psi + 0.5), maximum = TRUE, tol = 1e-9)
# segmented's SE formula at the joint MLE: refit glm.nb with U and V * beta_U, V = -I(time > psi)
d$U <- pmax(d$time - o$maximum, 0)
fU <- glm.nb(rear ~ time + law + m + U, data = d, control = ctl_nb)
d$Vxb <- -(d$time > o$maximum) * coef(fU)["U"]
fV <- glm.nb(rear ~ time + law + m + U + Vxb, data = d, control = ctl_nb)
m$profile_mle <- list(psi = o$maximum, loglik = o$objective, theta = fU$theta, theta_se = fU$SE.theta,
                      psi_se = num(sqrt(vcov(fV)["Vxb", "Vxb"])),
                      terms = lapply(list(`(Intercept)` = "(Intercept)", time = "time", law = "law", U1.time = "U", m7 = "m7"),
                                     function(k) list(estimate = num(coef(fU)[k]), se = num(sqrt(vcov(fV)[k, k])))))
out$models$negbin_rear <- m

s <- segmented(glm(DriversKilled ~ time + law, family = poisson, data = d), seg.Z = ~time, psi = 100)
out$models$poisson_drivers <- describe(s, "segmented(glm(DriversKilled ~ time + law, poisson), seg.Z = ~time, psi = 100)")

s <- segmented(glm(front ~ time + law, family = poisson, data = d), seg.Z = ~time, psi = 100)
m <- describe(s, "segmented(glm(front ~ time + law, poisson), seg.Z = ~time, psi = 100)")
profp <- function(p) {
  d$U <- pmax(d$time - p, 0)
  as.numeric(logLik(glm(front ~ time + law + U, family = poisson, data = d, control = ctl)))
}
ps <- seq(2, 191, by = 0.5)
pr <- sapply(ps, profp)
g <- ps[which.max(pr)]
o <- optimize(profp, c(g - 0.5, g + 0.5), maximum = TRUE, tol = 1e-9)
m$global <- list(psi = o$maximum, loglik = o$objective, grid_step = 0.5)
out$models$poisson_front <- m

jsonlite::write_json(out, "tests/reference/segmented_seatbelts.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
