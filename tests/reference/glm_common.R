# Shared by seatbelts_glm.R and sicily_glm.R: what each reference model records.
suppressPackageStartupMessages({library(MASS); library(jsonlite)})

# Fourier pairs of x with period P at frequencies 1..K, columns sin1..sinK, cos1..cosK:
# sin(2*pi*k*x/P), cos(2*pi*k*x/P). For K <= 2 this is tsModel::harmonic(x, K, P) (whose
# frequencies are 1, 2, 4, ..., 2^(K-1)); the Bernal tutorial uses harmonic(month, 2, 12).
harmonic <- function(x, nfreq, period) {
  k <- seq_len(nfreq) * 2 * pi / period
  M <- outer(as.numeric(x), k)
  S <- sin(M); C <- cos(M)
  colnames(S) <- paste0("sin", seq_len(nfreq)); colnames(C) <- paste0("cos", seq_len(nfreq))
  cbind(S, C)
}

# One fitted glm / glm.nb -> list of the numbers the Python tests compare with.
record <- function(m, formula_text) {
  b <- coef(m); V <- vcov(m); se <- sqrt(diag(V))
  z <- qnorm(0.975)
  df <- df.residual(m)
  tq <- qt(0.975, df)
  prof <- suppressMessages(confint(m))           # MASS profile likelihood (R 4.2: MASS:::confint.glm)
  prof <- matrix(prof, ncol = 2, dimnames = list(names(b), NULL))
  pearson <- sum(residuals(m, type = "pearson")^2)
  disp <- summary(m)$dispersion
  fam <- family(m)$family
  terms <- lapply(setNames(names(b), names(b)), function(k) list(
    estimate = unname(b[k]), se = unname(se[k]), rate_ratio = unname(exp(b[k])),
    ci_low = unname(exp(b[k] - z * se[k])), ci_high = unname(exp(b[k] + z * se[k])),
    ci_low_t = unname(exp(b[k] - tq * se[k])), ci_high_t = unname(exp(b[k] + tq * se[k])),
    ci_low_profile = unname(exp(prof[k, 1])), ci_high_profile = unname(exp(prof[k, 2])),
    p_value = unname(2 * pnorm(-abs(b[k] / se[k]))),
    p_value_t = unname(2 * pt(-abs(b[k] / se[k]), df))))
  out <- list(formula = formula_text, family = fam, n = length(residuals(m)),
              terms = terms, df_resid = df, dispersion = disp, pearson_chi2 = pearson,
              deviance = deviance(m),
              fitted = unname(fitted(m)),
              resid_deviance = unname(residuals(m, type = "deviance")),
              resid_pearson = unname(residuals(m, type = "pearson")))
  if (!grepl("quasi", fam)) {
    out$loglik <- as.numeric(logLik(m)); out$aic <- AIC(m); out$bic <- BIC(m)
  }
  if (inherits(m, "negbin")) {
    out$theta <- m$theta; out$theta_se <- m$SE.theta
  }
  out
}

versions <- function() list(r_version = R.version.string,
                            MASS_version = as.character(packageVersion("MASS")),
                            jsonlite_version = as.character(packageVersion("jsonlite")))
