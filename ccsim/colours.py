"""The colours of every chart: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
Design"), distinguishable with every common colour-vision deficiency."""

BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, PINK, YELLOW, BLACK = "#56B4E9", "#CC79A7", "#F0E442", "#000000"
GREY = "#BBBBBB"
OTHER_FIRMS = "#777777"    # the lost chart's rivals beyond the ones it names
LINES = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PINK, BLACK]   # yellow fades on white
